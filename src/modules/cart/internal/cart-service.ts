import type { Api, Implementation } from '../../../kernel/contract.ts';
import { notFound, unprocessable } from '../../../kernel/errors.ts';
import type { CatalogContract, Product } from '../../catalog/contract.ts';
import type { Cart, CartContract } from '../contract.ts';
import { MAX_LINES, MAX_UNITS, type CartLineRow, type CartStore } from './cart-store.ts';

type LineRef = { userId: string; productId: string };

/** The cart module's use cases; each public method is one call of its contract. */
export class CartService implements Implementation<CartContract> {
  constructor(
    private readonly store: CartStore,
    private readonly catalog: Api<CatalogContract>,
  ) {}

  /** Prices every line at the catalog's current price, asking the catalog once for all lines. */
  async getCart({ userId }: { userId: string }): Promise<Cart> {
    const lines = this.store.lines(userId);
    if (lines.length === 0) return { items: [], subtotal: 0, currency: 'USD' };
    const { items } = await this.catalog.getProducts({ productIds: lines.map((l) => l.productId) });
    return priceCart(lines, new Map(items.map((p) => [p.id, p])));
  }

  async addItem({ userId, productId, quantity }: LineRef & { quantity: number }): Promise<Cart> {
    const product = await this.catalog.getProduct({ productId });
    if (!product.active) throw notFound('Product');
    const outcome = this.store.addUnits(userId, productId, quantity, new Date().toISOString());
    if (outcome === 'too_many_units') throw unprocessable(`A cart line holds at most ${MAX_UNITS} units`);
    if (outcome === 'too_many_lines') throw unprocessable(`A cart holds at most ${MAX_LINES} different products`);
    return this.getCart({ userId });
  }

  async setQuantity({ userId, productId, quantity }: LineRef & { quantity: number }): Promise<Cart> {
    const changed = quantity === 0 ? this.store.removeLine(userId, productId) : this.store.setQuantity(userId, productId, quantity);
    if (!changed) throw notFound('Cart line');
    return this.getCart({ userId });
  }

  async removeItem({ userId, productId }: LineRef): Promise<Cart> {
    if (!this.store.removeLine(userId, productId)) throw notFound('Cart line');
    return this.getCart({ userId });
  }

  clear({ userId }: { userId: string }) {
    this.store.clear(userId);
    return {};
  }
}

/**
 * Lines of archived products stay, marked unavailable and left out of the subtotal, so the
 * customer sees why they cannot be bought. A line whose product the catalog does not know at all
 * cannot be shown (no name, no price) and is left out.
 */
function priceCart(lines: CartLineRow[], products: Map<string, Product>): Cart {
  const items = lines.flatMap((line) => {
    const product = products.get(line.productId);
    if (!product) return [];
    return [{
      productId: line.productId,
      name: product.name,
      unitPrice: product.price,
      quantity: line.quantity,
      lineTotal: product.price * line.quantity,
      available: product.active,
      weightGrams: product.weightGrams,
    }];
  });
  const subtotal = items.filter((i) => i.available).reduce((sum, i) => sum + i.lineTotal, 0);
  return { items, subtotal, currency: 'USD' };
}
