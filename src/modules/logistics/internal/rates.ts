/**
 * The shop's shipping rate table: the one place prices and delivery times are set.
 *
 * Zone by destination country (ISO 3166-1 alpha-2):
 *   domestic  US
 *   near      CA, MX
 *   world     every other country
 *
 * cost = base + perStartedHalfKilo x ceil(total weight in grams / 500), in US cents.
 * "Started" means 1 g costs one step, 500 g one step, 501 g two steps; weightless items cost the base.
 *
 *   zone      method     base    per started 500 g   eta (days)
 *   domestic  standard    499          99                  5
 *   domestic  express    1499         199                  2
 *   near      standard    999         199                  8
 *   near      express    2499         349                  3
 *   world     standard   1999         399                 14
 *   world     express    4999         599                  5
 */
export type Zone = 'domestic' | 'near' | 'world';
export type Method = 'standard' | 'express';

interface Rate {
  base: number;
  perStartedHalfKilo: number;
  etaDays: number;
}

const STEP_GRAMS = 500;

const RATES: Record<Zone, Record<Method, Rate>> = {
  domestic: { standard: { base: 499, perStartedHalfKilo: 99, etaDays: 5 }, express: { base: 1499, perStartedHalfKilo: 199, etaDays: 2 } },
  near: { standard: { base: 999, perStartedHalfKilo: 199, etaDays: 8 }, express: { base: 2499, perStartedHalfKilo: 349, etaDays: 3 } },
  world: { standard: { base: 1999, perStartedHalfKilo: 399, etaDays: 14 }, express: { base: 4999, perStartedHalfKilo: 599, etaDays: 5 } },
};

const NEAR = new Set(['CA', 'MX']);

export function zoneOf(country: string): Zone {
  if (country === 'US') return 'domestic';
  return NEAR.has(country) ? 'near' : 'world';
}

/** Every method's price and delivery time for a parcel of this weight to this country. */
export function shippingOptions(country: string, totalGrams: number): Array<{ method: Method; cost: number; currency: 'USD'; etaDays: number }> {
  const steps = Math.ceil(totalGrams / STEP_GRAMS);
  return (Object.entries(RATES[zoneOf(country)]) as Array<[Method, Rate]>).map(([method, rate]) => ({
    method,
    cost: rate.base + rate.perStartedHalfKilo * steps,
    currency: 'USD',
    etaDays: rate.etaDays,
  }));
}
