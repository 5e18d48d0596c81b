import type { Api, Implementation } from '../../../kernel/contract.ts';
import { notFound, unprocessable } from '../../../kernel/errors.ts';
import type { CartContract } from '../../cart/contract.ts';
import type { CatalogContract } from '../../catalog/contract.ts';
import type { WarehouseContract } from '../../warehouse/contract.ts';
import { wishlistContract, type WishlistContract } from '../contract.ts';
import { MAX_ITEMS, type WishlistStore } from './wishlist-store.ts';

type ItemRef = { userId: string; productId: string };

/** The wishlist module's use cases; each public method is one call of its contract. */
export class WishlistService implements Implementation<WishlistContract> {
  constructor(
    private readonly store: WishlistStore,
    private readonly catalog: Api<CatalogContract>,
    private readonly warehouse: Api<WarehouseContract>,
    private readonly cart: Api<CartContract>,
  ) {}

  /**
   * Current prices and stock, one catalog call and one warehouse call for the whole list.
   * Archived products are left out, as in every other list of the shop; a product the warehouse
   * has never stocked is not in stock. A failing warehouse fails the list: no guessed stock.
   */
  async list({ userId }: { userId: string }) {
    const rows = await this.store.items(userId);
    if (rows.length === 0) return { items: [] };
    const productIds = rows.map((r) => r.productId);
    const [products, stock] = await Promise.all([this.catalog.getProducts({ productIds }), this.warehouse.getStockLevels({ productIds })]);
    const byId = new Map(products.items.map((p) => [p.id, p]));
    const available = new Map(stock.items.map((s) => [s.productId, s.available]));
    const items = rows.flatMap((row) => {
      const product = byId.get(row.productId);
      if (!product?.active) return [];
      return [{ productId: row.productId, name: product.name, price: product.price, inStock: (available.get(row.productId) ?? 0) > 0, addedAt: row.addedAt }];
    });
    return { items };
  }

  async add({ userId, productId }: ItemRef) {
    const product = await this.catalog.getProduct({ productId });
    if (!product.active) throw notFound('Product');
    const added = await this.store.transaction(async (tx) => {
      if (await this.store.has(userId, productId, tx)) return false;
      if ((await this.store.count(tx, userId)) >= MAX_ITEMS) throw unprocessable(`A wishlist holds at most ${MAX_ITEMS} products`);
      await this.store.add(tx, { userId, productId, addedAt: new Date().toISOString() });
      await tx.publish(wishlistContract.events.item_added, { userId, productId }, { key: userId });
      return true;
    });
    return { added };
  }

  async remove({ userId, productId }: ItemRef) {
    await this.store.transaction(async (tx) => {
      if (await this.store.remove(tx, userId, productId)) await tx.publish(wishlistContract.events.item_removed, { userId, productId }, { key: userId });
    });
    return {};
  }

  /** The cart refuses first (archived product, line full) or the product moves: never lost from both. */
  async moveToCart({ userId, productId }: ItemRef) {
    if (!(await this.store.has(userId, productId))) throw notFound('Wishlist item');
    const cart = await this.cart.addItem({ userId, productId, quantity: 1 });
    await this.remove({ userId, productId });
    return cart;
  }
}
