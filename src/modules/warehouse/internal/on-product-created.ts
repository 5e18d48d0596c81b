import { createHash } from 'node:crypto';
import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { catalogContract } from '../../catalog/contract.ts';
import type { StockNotices } from './stock-notices.ts';
import type { WarehouseStore } from './warehouse-store.ts';

type ProductCreated = PayloadOf<typeof catalogContract.events.product_created>;

const DEFAULT_THRESHOLD = 5;

/**
 * Demo products start with 20..200 units, the same for a product id on every run, so a demo shop
 * can sell at once and its numbers are reproducible.
 */
export function demoQuantity(productId: string): number {
  return 20 + (createHash('sha256').update(productId).digest().readUInt32BE(0) % 181);
}

/**
 * Opens a stock row for every new product: empty, or demo units for the demo catalog's products
 * (SKU prefix DEMO-, which only the catalog's demo seeder uses), however the seed was started.
 */
export class OpenStockForNewProduct implements EventHandler<ProductCreated> {
  constructor(
    private readonly store: WarehouseStore,
    private readonly notices: StockNotices,
  ) {}

  async handle({ payload: { product } }: EventEnvelope<ProductCreated>, ctx: HandlerContext): Promise<void> {
    const onHand = product.sku.startsWith('DEMO-') ? demoQuantity(product.id) : 0;
    const empty = { productId: product.id, onHand: 0, reserved: 0, lowStockThreshold: DEFAULT_THRESHOLD, belowThreshold: true, updatedAt: new Date().toISOString() };
    await ctx.commit(async (tx) => {
      if (!(await this.store.addProduct(tx, { ...empty, onHand }))) return;
      // Announced as a change from an empty row, so "in stock" projections learn of demo units.
      await this.notices.changed(tx, empty, (await this.store.find(product.id, tx))!);
    });
  }
}
