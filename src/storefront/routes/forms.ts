import type { z } from 'zod';
import { z as zod } from 'zod';
import { AppError, type FieldError } from '../../kernel/errors.ts';
import { catalogContract } from '../../modules/catalog/contract.ts';
import type { FormErrors } from '../pages/parts.tsx';
import type { Visit } from '../visit.ts';

/** The forms' shared parts: what several routes read from a post, and how refusals map to fields. */

/** A form naming one product (add to cart, save to wishlist, remove). */
export const ProductForm = zod.object({ product_id: zod.string().min(1).max(100) });

/** The first message per field, keyed by the form's field name. */
export function formErrors(errors: FieldError[]): FormErrors {
  const out: FormErrors = {};
  for (const e of errors) out[e.path.split('.')[0] || 'form'] ??= e.message;
  return out;
}

/** A zod refusal as field errors. */
export function issuesOf(error: z.ZodError): FormErrors {
  return formErrors(error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}

/** A posted text field as typed (bounded), to show again in a refused form; undefined if absent or not text. */
export function typed(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 254) : undefined;
}

/** For `.catch()`: a module's "not found" (or an id it cannot read) as undefined; anything else goes on. */
export function notFoundAsUndefined(err: unknown): undefined {
  if (err instanceof AppError && (err.kind === 'not_found' || err.kind === 'validation')) return undefined;
  throw err;
}

/** Pictures of products by id, in one catalog call (carts, search hits and recommendations carry none). */
export async function imagesOf(visit: Visit, productIds: string[]): Promise<Map<string, string | undefined>> {
  if (productIds.length === 0) return new Map();
  const { items } = await visit.use(catalogContract).getProducts({ productIds });
  return new Map(items.map((p) => [p.id, p.imageUrl]));
}
