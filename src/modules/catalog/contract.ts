import { z } from 'zod';
import { call, Cents, defineContract, event, Id, Paging, Timestamp } from '../../kernel/contract.ts';

export const Category = z.object({ id: Id, name: z.string(), slug: z.string() });
export type Category = z.infer<typeof Category>;
/** A category as a link names it: its id or its slug (`/api/products?category=books`). */
export const CategoryRef = z.string().min(1).max(100);

export const Product = z.object({
  id: Id,
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  categoryId: Id,
  /** Price in cents. */
  price: Cents,
  currency: z.literal('USD'),
  weightGrams: z.number().int().min(0),
  imageUrl: z.string().optional(),
  /** False once archived: still readable by id, but out of lists, search and carts. */
  active: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Product = z.infer<typeof Product>;

export const NewProduct = z.strictObject({
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  categoryId: Id,
  price: Cents,
  weightGrams: z.number().int().min(0).max(1_000_000),
  imageUrl: z.url().max(500).optional(),
});
export const ProductChanges = NewProduct.omit({ sku: true }).partial().strict();

const ProductRef = z.strictObject({ productId: Id });

/** Categories and products: the shop's assortment and its prices. */
export const catalogContract = defineContract(
  'catalog',
  {
    /** Every category, by name. */
    listCategories: call({ input: z.strictObject({}), output: z.object({ items: z.array(Category) }) }),
    /** Creates a category; conflict if the slug is taken. */
    createCategory: call({
      input: z.strictObject({ name: z.string().trim().min(1).max(100), slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(100) }),
      output: Category,
    }),
    /** Active products, optionally of one category, newest first. */
    listProducts: call({
      input: z.strictObject({ categoryId: CategoryRef.optional(), ...Paging }),
      output: z.object({ items: z.array(Product), total: z.number().int() }),
    }),
    /** One product, archived or not; not found if it never existed. */
    getProduct: call({ input: ProductRef, output: Product }),
    /** Many products in one call (archived included, unknown ids left out): use this instead of a loop. */
    getProducts: call({ input: z.strictObject({ productIds: z.array(Id).max(1000) }), output: z.object({ items: z.array(Product) }) }),
    /** Creates a product; conflict if the SKU is taken, unprocessable if the category does not exist. */
    createProduct: call({ input: NewProduct, output: Product }),
    /** Changes a product; a new price is announced with `price_changed`. */
    updateProduct: call({ input: z.strictObject({ productId: Id, changes: ProductChanges }), output: Product }),
    /** Archives a product (idempotent). */
    archiveProduct: call({ input: ProductRef, output: z.object({}) }),
    /** Every product (archived too) in id order, a page at a time: for rebuilding projections. */
    exportProducts: call({
      input: z.strictObject({ after: Id.optional(), limit: z.number().int().min(1).max(1000) }),
      output: z.object({ items: z.array(Product), next: Id.optional() }),
    }),
    /** Fills an empty catalog with the deterministic demo catalog (operator tools only); 0 if it was not empty. */
    seedDemo: call({ input: z.strictObject({ products: z.number().int().min(1).max(100000) }), output: z.object({ created: z.number().int() }) }),
  },
  {
    /** A category was added. */
    category_created: event(1, z.object({ category: Category })),
    /** A product was added. */
    product_created: event(1, z.object({ product: Product })),
    /** Something about a product changed (the whole new state). */
    product_updated: event(1, z.object({ product: Product })),
    /** A product's price changed (also covered by product_updated). */
    price_changed: event(1, z.object({ productId: Id, oldPrice: Cents, newPrice: Cents, currency: z.literal('USD') })),
    /** A product was archived: out of lists, search and carts. */
    product_archived: event(1, z.object({ productId: Id })),
  },
);
export type CatalogContract = typeof catalogContract;
