import type { z } from 'zod';
import type { Api, Implementation } from '../../../kernel/contract.ts';
import { notFound } from '../../../kernel/errors.ts';
import type { ReadCache } from '../../../kernel/persistence/read-cache.ts';
import type { CatalogContract, Product } from '../../catalog/contract.ts';
import type { Recommendation, RecommendationContract } from '../contract.ts';
import type { RecommendationStore, Signal } from './recommendation-store.ts';

type Reason = z.infer<typeof Recommendation>['reason'];
export type Pick = { productId: string; reason: Reason };

/** Candidates fetched beyond the limit, in case the catalog archived some since we heard of them. */
const SLACK = 5;

/**
 * "For you" scoring. A candidate scores
 *     2 × (paid orders in which it was bought together with something the user bought)
 *   + 1 × (products on the user's wishlist in its category),
 * ties broken by popularity (paid orders containing it), then newest first, then by id so
 * answers are stable. A purchase weighs twice a wish: money spent says more than a wish.
 * Candidates the user bought or already wished are never shown; popular products fill the rest.
 *
 * Newest first is also the whole order of "popular" and "same category" while a shop has no paid
 * orders yet (every count is 0): it is how the catalog lists products, so a new customer sees
 * the shop's latest arrivals rather than an order of random-looking ids.
 */
const TOGETHER_WEIGHT = 2;
const WISH_WEIGHT = 1;

/** The recommendation module's use cases; each public method is one call of its contract. */
export class RecommendationService implements Implementation<RecommendationContract> {
  constructor(
    private readonly store: RecommendationStore,
    private readonly catalog: Api<CatalogContract>,
    /** Candidates per product, from this module's tables alone; any change to them clears it. */
    private readonly productPicks: ReadCache<Pick[]>,
  ) {}

  async forProduct({ productId, limit }: { productId: string; limit: number }) {
    const picks = await this.productPicks.get(`${productId}:${limit}`, async () => {
      const wanted = limit + SLACK;
      const [together, sameCategory] = await Promise.all([this.store.boughtWith(productId, wanted), this.store.sameCategory(productId, wanted)]);
      return [...together.map((s) => pick(s, 'bought_together')), ...sameCategory.map((s) => pick(s, 'same_category'))];
    });
    const items = await this.present(picks, limit, [productId]);
    if (!items) throw notFound('Product');
    return { items };
  }

  async forUser({ userId, limit }: { userId: string; limit: number }) {
    const wanted = limit + SLACK;
    const [boughtWithMine, likeMyWishes, popular] = await Promise.all([
      this.store.boughtWithMine(userId, wanted),
      this.store.likeMyWishes(userId, wanted),
      this.store.popularFor(userId, wanted),
    ]);
    const personal = rank([...boughtWithMine, ...likeMyWishes]);
    const picks = [...personal.map((s) => pick(s, 'for_you')), ...popular.map((s) => pick(s, 'popular'))];
    return { items: (await this.present(picks, limit))! };
  }

  /**
   * The first pick of each product the catalog still sells, up to the limit, with its name and
   * price. The catalog is asked about limit + SLACK candidates first (one call), and about the rest
   * only if too many of those were archived. Undefined if a product in `mustExist` is unknown.
   */
  private async present(picks: Pick[], limit: number, mustExist: string[] = []): Promise<z.input<typeof Recommendation>[] | undefined> {
    const candidates = [...new Set(picks.map((p) => p.productId))];
    const first = candidates.slice(0, limit + SLACK);
    const products = await this.productsOf([...mustExist, ...first]);
    if (mustExist.some((id) => !products.has(id))) return undefined;
    let items = shown(picks, products, limit);
    if (items.length < limit && candidates.length > first.length) {
      for (const [id, product] of await this.productsOf(candidates.slice(first.length))) products.set(id, product);
      items = shown(picks, products, limit);
    }
    return items;
  }

  /** Names, prices and whether still on sale, straight from the catalog in one call. */
  private async productsOf(ids: string[]): Promise<Map<string, Product>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const { items } = await this.catalog.getProducts({ productIds: unique });
    return new Map(items.map((p) => [p.id, p]));
  }
}

/** Adds up each candidate's signals and orders them by score (see the comment above). */
function rank(signals: Signal[]): Signal[] {
  const merged = new Map<string, Signal>();
  for (const s of signals) {
    const seen = merged.get(s.productId);
    merged.set(s.productId, seen ? { ...seen, together: seen.together + s.together, wishes: seen.wishes + s.wishes } : { ...s });
  }
  const score = (s: Signal) => TOGETHER_WEIGHT * s.together + WISH_WEIGHT * s.wishes;
  return [...merged.values()].sort(
    (a, b) => score(b) - score(a) || b.purchases - a.purchases || newestFirst(a, b) || a.productId.localeCompare(b.productId),
  );
}

/** Later creation first; a product whose creation is not known yet goes after those known (as NULLs sort in the store). */
function newestFirst(a: Signal, b: Signal): number {
  if (a.createdAt === b.createdAt) return 0;
  if (a.createdAt === null) return 1;
  if (b.createdAt === null) return -1;
  return a.createdAt < b.createdAt ? 1 : -1;
}

function pick(signal: Signal, reason: Reason): Pick {
  return { productId: signal.productId, reason };
}

/** The first pick of each product that the catalog still sells (among those it told us about), up to the limit. */
function shown(picks: Pick[], products: Map<string, Product>, limit: number): z.input<typeof Recommendation>[] {
  const shown = new Set<string>();
  const items: z.input<typeof Recommendation>[] = [];
  for (const { productId, reason } of picks) {
    const product = products.get(productId);
    if (!product?.active || shown.has(productId)) continue;
    shown.add(productId);
    items.push({ productId, name: product.name, price: product.price, reason });
    if (items.length === limit) break;
  }
  return items;
}
