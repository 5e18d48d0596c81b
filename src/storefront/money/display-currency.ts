import { z } from 'zod';
import rateFile from './rates.json' with { type: 'json' };

/**
 * Prices for show in the visitor's currency. The shop prices and charges in USD cents; these
 * rates only change what a page displays, and every page that shows converted prices says so
 * (`RATES_NOTE`). The rates are a data file shipped with the shop, dated, not fetched: a page must
 * never wait on, or fail because of, an exchange-rate service.
 */
const RateFile = z.object({
  date: z.iso.date(),
  source: z.string(),
  base: z.string().length(3),
  rates: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().positive()),
});
const file = RateFile.parse(rateFile);
if (!file.rates.USD) throw new Error('rates.json must hold a USD rate: every price is converted from USD');

/** The currency prices are kept and charged in. */
export const CHARGE_CURRENCY = 'USD';
/** The currencies a visitor may choose, the charge currency first. */
export const DISPLAY_CURRENCIES: readonly string[] = [CHARGE_CURRENCY, ...Object.keys(file.rates).filter((c) => c !== CHARGE_CURRENCY).sort()];
export const RATES_DATE = file.date;

export function isDisplayCurrency(code: string): boolean {
  return Object.hasOwn(file.rates, code);
}

const formats = new Map<string, Intl.NumberFormat>();
function formatFor(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format;
}

/** USD cents shown in `currency` ("€17.67", "¥2,221"), rounded as that currency is written. */
export function displayPrice(usdCents: number, currency: string): string {
  const usd = usdCents / 100;
  if (currency === CHARGE_CURRENCY || !isDisplayCurrency(currency)) return formatFor(CHARGE_CURRENCY).format(usd);
  return formatFor(currency).format((usd / file.rates.USD) * file.rates[currency]);
}

/** USD cents as charged ("$19.99"). */
export function chargedPrice(usdCents: number): string {
  return formatFor(CHARGE_CURRENCY).format(usdCents / 100);
}
