import { describe, expect, it } from 'vitest';
import { countryChoices, countryCode, REST_OF_WORLD } from '../../src/storefront/countries.ts';
import { chargedPrice, displayPrice, DISPLAY_CURRENCIES, isDisplayCurrency } from '../../src/storefront/money/display-currency.ts';

describe('countries typed at checkout', () => {
  it.each([
    ['Korea', 'KR'],
    ['Holy See (Vatican City State)', 'VA'],
    ['Libyan Arab Jamahiriya', 'LY'],
    ["Cote d'Ivoire", 'CI'],
    ['Côte d’Ivoire', 'CI'],
    ['Svalbard & Jan Mayen Islands', 'SJ'],
    ['united states', 'US'],
    ['Germany', 'DE'],
    ['de', 'DE'],
    ['GB', 'GB'],
    ['Hong Kong', 'HK'],
    ['Myanmar', 'MM'],
    ['St. Lucia', 'LC'],
    ['Saint Kitts and Nevis', 'KN'],
    ['Palestine', 'PS'],
  ])('%s is %s', (name, code) => {
    expect(countryCode(name)).toEqual({ code, known: true });
  });

  it.each(['Netherlands Antilles', 'Atlantis', 'ZZ', 'EU', ''])('"%s" ships to the rest of the world', (name) => {
    expect(countryCode(name)).toEqual({ code: REST_OF_WORLD, known: false });
  });
});

describe('display currencies', () => {
  it("offers at least Online Boutique's six, US dollars first", () => {
    for (const code of ['EUR', 'USD', 'JPY', 'CAD', 'GBP', 'TRY']) expect(isDisplayCurrency(code)).toBe(true);
    expect(DISPLAY_CURRENCIES[0]).toBe('USD');
    expect(isDisplayCurrency('XXX')).toBe(false);
    expect(isDisplayCurrency('toString')).toBe(false);
  });

  it('converts from US dollar cents at the shipped rates and writes each currency its own way', () => {
    expect(displayPrice(1999, 'USD')).toBe('$19.99');
    // 19.99 / 1.1305 = 17.682...
    expect(displayPrice(1999, 'EUR')).toBe('€17.68');
    // 19.99 / 1.1305 * 126.40 = 2235.07...: yen have no minor unit.
    expect(displayPrice(1999, 'JPY')).toBe('¥2,235');
    expect(displayPrice(1999, 'TRY')).toBe('TRY\u00a0108.30');
    expect(chargedPrice(123456)).toBe('$1,234.56');
  });
});

describe('country choices', () => {
  it('offers each country once, by its current code', () => {
    const choices = countryChoices();
    const codes = choices.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(choices.map((c) => c.name)).size).toBe(choices.length);
    for (const code of ['DE', 'FR', 'GB', 'US', 'KR', 'VA']) expect(codes).toContain(code);
    for (const withdrawn of ['DD', 'FX', 'SU', 'YU', 'ZZ']) expect(codes).not.toContain(withdrawn);
  });
});
