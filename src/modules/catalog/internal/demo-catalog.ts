import { faker } from '@faker-js/faker/locale/en';
import type { ProductDraft } from './catalog-records.ts';
import { DEMO_CLOSINGS, DEMO_DEPARTMENTS, type DemoDepartment } from './demo-assortment.ts';

/** Fixed, so every fresh shop gets the very same demo catalog. */
const DEMO_SEED = 42;

export interface DemoProduct extends Omit<ProductDraft, 'categoryId'> {
  categorySlug: string;
  /** An id another shop gave it (the Online Boutique's); else the catalog makes one up. */
  id?: string;
}

export interface DemoCatalog {
  categories: Array<{ name: string; slug: string }>;
  products: DemoProduct[];
}

/**
 * The demo catalog: every department of the assortment and `productCount` products spread evenly
 * over them. Deterministic: the first N products are the same whatever N is asked for.
 */
export function buildDemoCatalog(productCount: number): DemoCatalog {
  // faker is one shared generator: seed it and draw everything at once, so nothing interleaves.
  faker.seed(DEMO_SEED);
  const names = new Set<string>();
  const products = Array.from({ length: productCount }, (_, i) => demoProduct(DEMO_DEPARTMENTS[i % DEMO_DEPARTMENTS.length], i + 1, names));
  return { categories: DEMO_DEPARTMENTS.map(({ name, slug }) => ({ name, slug })), products };
}

function demoProduct(department: DemoDepartment, number: number, names: Set<string>): DemoProduct {
  const pick = faker.helpers.arrayElement;
  const brand = pick(department.brands);
  const adjective = pick(department.adjectives);
  const [noun, minDollars, maxDollars, minGrams, maxGrams] = pick(department.goods);
  const name = distinct(`${brand} ${adjective} ${noun}`, names);
  const sku = `DEMO-${department.code}-${String(number).padStart(5, '0')}`;
  const [first, second, third] = faker.helpers.arrayElements(department.features, 3);
  return {
    sku,
    name,
    description: `The ${adjective} ${noun} from ${brand} ${pick(department.pitches)}. ` +
      `Highlights include ${first}, ${second} and ${third}. ${pick(DEMO_CLOSINGS)}`,
    categorySlug: department.slug,
    // Shop prices end in .99, .95 or .00.
    price: faker.number.int({ min: minDollars, max: maxDollars }) * 100 - pick([1, 1, 1, 5, 0]),
    weightGrams: faker.number.int({ min: minGrams, max: maxGrams, multipleOf: 5 }),
    imageUrl: `https://picsum.photos/seed/${sku}/640/480`,
  };
}

/** A name already on the shelf becomes a later edition, as real catalogs do. */
function distinct(name: string, names: Set<string>): string {
  let candidate = name;
  for (let year = 2020; names.has(candidate) && year <= 2026; year++) candidate = `${name} (${year} Edition)`;
  names.add(candidate);
  return candidate;
}
