/**
 * Country as a person types it ("Korea", "Holy See (Vatican City State)", "de") to the ISO 3166-1
 * alpha-2 code addresses are kept in. Names come from the runtime's own region names (ICU), plus
 * the older or longer names that address forms and fake-data libraries still use. A country the
 * shop cannot name is not an error: it ships to the rest-of-world zone (`REST_OF_WORLD`) and the
 * name is kept on the address.
 */

/** ISO 3166's user-assigned "unknown or unspecified" code; logistics prices it as the rest of the world. */
export const REST_OF_WORLD = 'ZZ';

/** Names that are not ICU's English region names, by code. */
const OTHER_NAMES: Record<string, string[]> = {
  AQ: ['Antarctica (the territory South of 60 deg S)'],
  BA: ['Bosnia and Herzegovina'],
  BN: ['Brunei Darussalam'],
  BO: ['Bolivia, Plurinational State of'],
  BV: ['Bouvet Island (Bouvetoya)'],
  CC: ['Cocos (Keeling) Islands', 'Cocos Islands'],
  CD: ['Congo, the Democratic Republic of the', 'Democratic Republic of the Congo', 'Congo (Kinshasa)'],
  CG: ['Congo', 'Republic of the Congo', 'Congo (Brazzaville)'],
  CI: ["Cote d'Ivoire", 'Ivory Coast'],
  CV: ['Cape Verde'],
  CZ: ['Czech Republic'],
  FK: ['Falkland Islands (Malvinas)'],
  FM: ['Micronesia, Federated States of', 'Micronesia'],
  GB: ['United Kingdom of Great Britain and Northern Ireland', 'Great Britain', 'England', 'Scotland', 'Wales', 'Northern Ireland', 'UK'],
  HM: ['Heard Island and McDonald Islands'],
  IO: ['British Indian Ocean Territory (Chagos Archipelago)'],
  IR: ['Iran, Islamic Republic of'],
  KG: ['Kyrgyz Republic'],
  KP: ["Korea, Democratic People's Republic of", 'North Korea'],
  KR: ['Korea', 'Korea, Republic of', 'Republic of Korea'],
  LA: ["Lao People's Democratic Republic"],
  LY: ['Libyan Arab Jamahiriya'],
  MD: ['Moldova, Republic of'],
  MF: ['Saint Martin'],
  MK: ['Macedonia', 'Macedonia, the former Yugoslav Republic of'],
  MM: ['Burma', 'Myanmar'],
  MO: ['Macao', 'Macau'],
  PN: ['Pitcairn Islands', 'Pitcairn'],
  PS: ['Palestinian Territory', 'Palestinian Territories', 'Palestine, State of', 'Palestine'],
  HK: ['Hong Kong'],
  RE: ['Reunion'],
  RU: ['Russian Federation'],
  BL: ['Saint Barthelemy'],
  SH: ['Saint Helena', 'Saint Helena, Ascension and Tristan da Cunha'],
  SJ: ['Svalbard & Jan Mayen Islands', 'Svalbard and Jan Mayen'],
  SK: ['Slovakia (Slovak Republic)'],
  ST: ['Sao Tome and Principe'],
  SY: ['Syrian Arab Republic'],
  SZ: ['Swaziland'],
  TL: ['East Timor'],
  TR: ['Turkey', 'Türkiye'],
  TW: ['Taiwan, Province of China'],
  TZ: ['Tanzania, United Republic of'],
  UM: ['United States Minor Outlying Islands'],
  US: ['United States of America', 'USA', 'U.S.A.', 'America'],
  VA: ['Holy See (Vatican City State)', 'Holy See', 'Vatican City State'],
  VE: ['Venezuela, Bolivarian Republic of'],
  VG: ['Virgin Islands, British', 'British Virgin Islands'],
  VI: ['Virgin Islands, U.S.', 'United States Virgin Islands'],
  VN: ['Viet Nam'],
};

/**
 * Codes ICU names that are not countries of ISO 3166-1 today: exceptionally reserved ones (FX
 * "France" would shadow FR), withdrawn ones ICU names after their successor (DD "Germany"),
 * regions and groupings.
 */
const NOT_COUNTRIES = new Set([
  'AC', 'CP', 'CQ', 'DG', 'EA', 'EU', 'EZ', 'FX', 'IC', 'QO', 'TA', 'UK', 'UN', 'ZZ',
  'AN', 'BU', 'CS', 'DD', 'DY', 'HV', 'NH', 'RH', 'SU', 'TP', 'VD', 'YD', 'YU', 'ZR',
]);

/** Lower case, accents and punctuation away, "St." as "Saint", so "Côte d’Ivoire" and "cote d'ivoire" meet. */
function normalise(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/&/g, ' and ').replace(/[^a-z0-9]+/g, ' ').trim().replace(/\bst\b/g, 'saint');
}

function buildIndex(): Map<string, string> {
  const index = new Map<string, string>();
  // Long names ("Hong Kong SAR China") and short ones ("Hong Kong") both.
  const regionNames = [new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' }), new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none', style: 'short' })];
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const a of letters) {
    for (const b of letters) {
      const code = a + b;
      if (NOT_COUNTRIES.has(code)) continue;
      for (const names of regionNames) {
        let name: string | undefined;
        try {
          name = names.of(code);
        } catch {
          continue;
        }
        // ICU echoes unnamed codes back, and names some pseudo-regions (XA, XB) it has no country for.
        if (!name || name === code || /^Pseudo-/i.test(name)) continue;
        if (!index.has(normalise(name))) index.set(normalise(name), code);
      }
    }
  }
  for (const [code, names] of Object.entries(OTHER_NAMES)) for (const name of names) index.set(normalise(name), code);
  return index;
}

let index: Map<string, string> | undefined;
let codes: Set<string> | undefined;

/** The ISO code for a country name or code; `REST_OF_WORLD` when the shop does not know it. */
export function countryCode(input: string): { code: string; known: boolean } {
  const trimmed = input.trim();
  index ??= buildIndex();
  codes ??= new Set(index.values());
  if (/^[A-Za-z]{2}$/.test(trimmed) && codes.has(trimmed.toUpperCase())) return { code: trimmed.toUpperCase(), known: true };
  const code = index.get(normalise(trimmed));
  return code ? { code, known: true } : { code: REST_OF_WORLD, known: false };
}

/** Country choices for the checkout form, by name. */
export function countryChoices(): Array<{ code: string; name: string }> {
  index ??= buildIndex();
  const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
  return [...new Set(index.values())].map((code) => ({ code, name: regionNames.of(code) ?? code })).sort((a, b) => a.name.localeCompare(b.name));
}
