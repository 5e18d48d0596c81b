import { randomUUID } from 'node:crypto';
import type { Category, Product } from '../contract.ts';
import type { CategoryRow, ProductFields, ProductRow } from './catalog-store.ts';

/** What a new product is made of, whether an admin enters it or the demo catalog supplies it. */
export interface ProductDraft extends Omit<ProductFields, 'imageUrl'> {
  sku: string;
  imageUrl?: string;
}

export function newCategoryRow(category: { name: string; slug: string }, now: string): CategoryRow {
  return { id: randomUUID(), name: category.name, slug: category.slug, createdAt: now };
}

export function newProductRow(draft: ProductDraft, now: string): ProductRow {
  return { ...draft, id: randomUUID(), imageUrl: draft.imageUrl ?? null, active: true, createdAt: now, updatedAt: now };
}

export function toCategory(row: CategoryRow): Category {
  return { id: row.id, name: row.name, slug: row.slug };
}

export function toProduct(row: ProductRow): Product {
  const { imageUrl, ...rest } = row;
  return { ...rest, currency: 'USD', ...(imageUrl ? { imageUrl } : {}) };
}
