import { MONEY_LIMIT, withinMoneyLimit, type Api, type Implementation } from '../../../kernel/contract.ts';
import { notFound, unprocessable } from '../../../kernel/errors.ts';
import type { CatalogContract, Product } from '../../catalog/contract.ts';
import { MAX_UNITS, type Cart, type CartContract } from '../contract.ts';
import { unitsToMerge } from './cart-merge.ts';
import { MAX_LINES, type CartStore } from './cart-store.ts';
import { LineClock } from './line-clock.ts';

type LineRef = { userId: string; productId: string };
type Line = { productId: string; quantity: number };

/** The cart module's use cases; each public method is one call of its contract. */
export class CartService implements Implementation<CartContract> {
  private readonly addedAt = new LineClock();

  constructor(
    private readonly store: CartStore,
    private readonly catalog: Api<CatalogContract>,
  ) {}

  /** Prices every line at the catalog's current price, asking the catalog once for all lines. */
  async getCart({ userId }: { userId: string }): Promise<Cart> {
    const lines = await this.store.lines(userId);
    if (lines.length === 0) return { items: [], subtotal: 0, currency: 'USD', withinLimits: true };
    return priceCart(lines, await this.productsOf(lines));
  }

  async addItem({ userId, productId, quantity }: LineRef & { quantity: number }): Promise<Cart> {
    const lines = await this.store.lines(userId);
    const after = withQuantity(lines, productId, unitsOf(lines, productId) + quantity);
    const products = await this.productsOf(after);
    if (!products.get(productId)?.active) throw notFound('Product');
    refuseOverMoneyLimit(priceCart(after, products), productId);
    const outcome = await this.store.addUnits(userId, productId, quantity, this.addedAt.now());
    if (outcome === 'too_many_units') throw unprocessable(`A cart line holds at most ${MAX_UNITS} units`);
    if (outcome === 'too_many_lines') throw unprocessable(`A cart holds at most ${MAX_LINES} different products`);
    return this.getCart({ userId });
  }

  async setQuantity({ userId, productId, quantity }: LineRef & { quantity: number }): Promise<Cart> {
    const lines = await this.store.lines(userId);
    const held = unitsOf(lines, productId);
    if (held === 0) throw notFound('Cart line');
    // Fewer units are always allowed, so a cart a reprice took over the bound can be brought back.
    if (quantity > held) {
      const after = withQuantity(lines, productId, quantity);
      refuseOverMoneyLimit(priceCart(after, await this.productsOf(after)), productId);
    }
    const changed = quantity === 0 ? await this.store.removeLine(userId, productId) : await this.store.setQuantity(userId, productId, quantity);
    if (!changed) throw notFound('Cart line');
    return this.getCart({ userId });
  }

  async removeItem({ userId, productId }: LineRef): Promise<Cart> {
    if (!(await this.store.removeLine(userId, productId))) throw notFound('Cart line');
    return this.getCart({ userId });
  }

  async clear({ userId }: { userId: string }) {
    await this.store.clear(userId);
    return {};
  }

  async mergeCart({ fromUserId, intoUserId }: { fromUserId: string; intoUserId: string }): Promise<Cart> {
    const from = await this.store.lines(fromUserId);
    // Nothing to move (a repeat, say): nothing is written.
    if (from.length > 0) {
      // Priced before the transaction: no call to another module holds the cart's database.
      const products = await this.productsOf([...from, ...(await this.store.lines(intoUserId))]);
      await this.store.transaction(async (tx) => {
        // Only the lines priced: one added meanwhile stays for the next merge.
        const taken = await this.store.takeLines(tx, fromUserId, from.map((l) => l.productId));
        await this.store.addLines(tx, intoUserId, unitsToMerge(taken, await this.store.lines(intoUserId, tx), products));
      });
    }
    return this.getCart({ userId: intoUserId });
  }

  private async productsOf(lines: Line[]): Promise<Map<string, Product>> {
    const { items } = await this.catalog.getProducts({ productIds: lines.map((l) => l.productId) });
    return new Map(items.map((p) => [p.id, p]));
  }
}

const unitsOf = (lines: Line[], productId: string) => lines.find((l) => l.productId === productId)?.quantity ?? 0;

/** The lines as they would be with this line at `quantity` (added last if it is new). */
function withQuantity(lines: Line[], productId: string, quantity: number): Line[] {
  const changed = { productId, quantity };
  if (!lines.some((l) => l.productId === productId)) return [...lines, changed];
  return lines.map((l) => (l.productId === productId ? changed : l));
}

/**
 * Refuses a change (before it is made) that would take the changed line's total or the subtotal
 * over the money bound. It judges the cart as read just before: two adds racing each other may
 * still pass it together, and then the cart reads with withinLimits false and checkout refuses it.
 */
function refuseOverMoneyLimit(cart: Cart, productId: string): void {
  const line = cart.items.find((l) => l.productId === productId);
  if (line && !withinMoneyLimit(line.lineTotal)) throw unprocessable(`${line.quantity} x ${line.name} would cost more than ${MONEY_LIMIT}`);
  if (!cart.withinLimits) throw unprocessable(`This would take the cart's subtotal over ${MONEY_LIMIT}`);
}

/**
 * Lines of archived products stay, marked unavailable and left out of the subtotal, so the
 * customer sees why they cannot be bought. A line whose product the catalog does not know at all
 * cannot be shown (no name, no price) and is left out. Sums are never capped, so the cart reads
 * whatever a reprice did; `withinLimits` says whether it can be bought.
 */
function priceCart(lines: Line[], products: Map<string, Product>): Cart {
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
  // Every available line's total is part of the subtotal, so the subtotal alone decides.
  return { items, subtotal, currency: 'USD', withinLimits: withinMoneyLimit(subtotal) };
}
