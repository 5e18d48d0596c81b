import { MAX_AMOUNT } from '../../../kernel/contract.ts';
import type { Product } from '../../catalog/contract.ts';
import { MAX_UNITS } from '../contract.ts';
import { MAX_LINES } from './cart-store.ts';

type Line = { productId: string; quantity: number; addedAt: string };

/**
 * The units of a merged cart's lines (`from`, oldest first) that the receiving cart (`into`) takes,
 * line by line. A merge runs as someone signs in, where a refusal would strand the guest's cart: so
 * instead of refusing, it keeps a line at MAX_UNITS, the cart at MAX_LINES products and the subtotal
 * within MAX_AMOUNT as every change to a cart does, and leaves out what would pass them (older lines
 * get their room first). Lines of archived or unknown products are left out too: they could not be bought.
 *
 * It judges `into` by the prices just read: a reprice meanwhile may still take the cart over the
 * money limit, and then the cart reads with withinLimits false and checkout refuses it.
 */
export function unitsToMerge(from: Line[], into: Line[], products: Map<string, Pick<Product, 'price' | 'active'>>): Line[] {
  const held = new Map(into.map((l) => [l.productId, l.quantity]));
  const priceOf = (productId: string) => (products.get(productId)?.active ? products.get(productId)!.price : 0);
  let subtotal = into.reduce((sum, l) => sum + priceOf(l.productId) * l.quantity, 0);
  const taken: Line[] = [];
  for (const line of from) {
    if (!products.get(line.productId)?.active) continue;
    const already = held.get(line.productId);
    if (already === undefined && held.size >= MAX_LINES) continue;
    const price = priceOf(line.productId);
    const affordable = price === 0 ? MAX_UNITS : Math.floor((MAX_AMOUNT - subtotal) / price);
    const quantity = Math.min(line.quantity, MAX_UNITS - (already ?? 0), affordable);
    if (quantity <= 0) continue;
    taken.push({ productId: line.productId, quantity, addedAt: line.addedAt });
    held.set(line.productId, (already ?? 0) + quantity);
    subtotal += price * quantity;
  }
  return taken;
}
