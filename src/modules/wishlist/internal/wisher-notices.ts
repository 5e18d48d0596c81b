import type { Api } from '../../../kernel/contract.ts';
import type { HandlerContext } from '../../../kernel/events/handlers.ts';
import type { Tx } from '../../../kernel/persistence/sql.ts';
import type { CatalogContract, Product } from '../../catalog/contract.ts';
import type { WishlistStore } from './wishlist-store.ts';

/**
 * Sends one notice per wisher of a product for the event being handled. The notices are written
 * in the handler's own transaction, so a redelivered event sends none again. Nobody is told about
 * an archived product: it cannot be bought whatever its price or stock.
 */
export class WisherNotices {
  constructor(
    private readonly store: WishlistStore,
    private readonly catalog: Api<CatalogContract>,
  ) {}

  /** `notice` publishes one wisher's event with the `tx` it is given. */
  async send(productId: string, ctx: HandlerContext, notice: (tx: Tx, userId: string, product: Product) => Promise<unknown>): Promise<void> {
    if (!(await this.store.hasWishers(productId))) return;
    const product = await this.catalog.getProduct({ productId });
    if (!product.active) return;
    await ctx.commit(async (tx) => {
      for (const userId of await this.store.wishers(tx, productId)) await notice(tx, userId, product);
    });
  }
}
