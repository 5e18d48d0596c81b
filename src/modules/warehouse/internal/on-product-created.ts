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

/** The Online Boutique's nine products never run out under its load generator, however long it runs. */
export const BOUTIQUE_UNITS = 1_000_000;

/**
 * Units a new product opens with. The catalog's demo seeder marks its products by SKU prefix (no
 * one else uses these): DEMO- for the generated demo catalog, BOUTIQUE- for the Online Boutique's.
 */
function openingUnits(product: ProductCreated['product']): number {
  if (product.sku.startsWith('BOUTIQUE-')) return BOUTIQUE_UNITS;
  if (product.sku.startsWith('DEMO-')) return demoQuantity(product.id);
  return 0;
}

/** Opens a stock row for every new product: empty, or demo units for a demo catalog's products, however the seed was started. */
export class OpenStockForNewProduct implements EventHandler<ProductCreated> {
  constructor(
    private readonly store: WarehouseStore,
    private readonly notices: StockNotices,
  ) {}

  async handle({ payload: { product } }: EventEnvelope<ProductCreated>, ctx: HandlerContext): Promise<void> {
    const onHand = openingUnits(product);
    const empty = { productId: product.id, onHand: 0, reserved: 0, lowStockThreshold: DEFAULT_THRESHOLD, belowThreshold: true, updatedAt: new Date().toISOString() };
    await ctx.commit(async (tx) => {
      if (!(await this.store.addProduct(tx, { ...empty, onHand }))) return;
      // Announced as a change from an empty row, so "in stock" projections learn of demo units.
      await this.notices.changed(tx, empty, (await this.store.find(product.id, tx))!);
    });
  }
}
