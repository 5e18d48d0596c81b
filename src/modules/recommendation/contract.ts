import { z } from 'zod';
import { call, Cents, defineContract, Id } from '../../kernel/contract.ts';

export const Recommendation = z.object({
  productId: Id,
  name: z.string(),
  price: Cents,
  reason: z.enum(['bought_together', 'same_category', 'for_you', 'popular']),
});
/** How many recommendations one answer holds at most, and when the caller does not say. */
export const MAX_RECOMMENDATIONS = 50;
export const DEFAULT_RECOMMENDATIONS = 10;
const HowMany = z.number().int().min(1).max(MAX_RECOMMENDATIONS).default(DEFAULT_RECOMMENDATIONS);

/** "Bought together", "for you" and "popular", learnt from paid orders and wishlists. */
export const recommendationContract = defineContract(
  'recommendation',
  {
    /** Products bought with this one, falling back to its category; the newest first among equals (so all of them before any order). */
    forProduct: call({ input: z.strictObject({ productId: Id, limit: HowMany }), output: z.object({ items: z.array(Recommendation) }) }),
    /** For a user: from their orders and wishlist, never what they bought; popular for a new user; the newest first among equals. */
    forUser: call({ input: z.strictObject({ userId: Id, limit: HowMany }), output: z.object({ items: z.array(Recommendation) }) }),
  },
  {},
);
export type RecommendationContract = typeof recommendationContract;
