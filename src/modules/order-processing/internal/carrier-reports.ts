import type { Api } from '../../../kernel/contract.ts';
import { unavailable } from '../../../kernel/errors.ts';
import type { HandlerContext } from '../../../kernel/events/handlers.ts';
import type { Tx } from '../../../kernel/persistence/sql.ts';
import type { WarehouseContract } from '../../warehouse/contract.ts';
import type { OrderLocks } from './order-locks.ts';
import type { OrderProcessingStore } from './order-processing-store.ts';
import type { OrderTransitions } from './order-transitions.ts';

export interface CarrierReport {
  orderId: string;
  trackingNumber: string;
}

/** What the carrier's reports mean for an order: shipped takes the stock off the shelf, then delivered. */
export class CarrierReports {
  constructor(
    private readonly store: OrderProcessingStore,
    private readonly transitions: OrderTransitions,
    private readonly locks: OrderLocks,
    private readonly warehouse: Api<WarehouseContract>,
  ) {}

  /** The parcel left: the reserved units leave the warehouse and the order is shipped. */
  inTransit(report: CarrierReport, ctx: HandlerContext): Promise<void> {
    return this.locks.run(report.orderId, async () => {
      if (!(await this.takeStock(report))) return;
      await ctx.commit((tx) => this.ship(report, tx));
    });
  }

  /** The parcel arrived. A carrier that skipped the in-transit report still ships the order first. */
  delivered(report: CarrierReport, ctx: HandlerContext): Promise<void> {
    return this.locks.run(report.orderId, async () => {
      const shippedNow = await this.takeStock(report);
      await ctx.commit(async (tx) => {
        if (shippedNow) await this.ship(report, tx);
        await this.transitions.move(report.orderId, ['shipped'], { status: 'delivered', shipmentStatus: 'delivered' }, tx);
      });
    });
  }

  /** Commits the order's stock if it is paid and not yet shipped; false if there is nothing to ship. */
  private async takeStock({ orderId }: CarrierReport): Promise<boolean> {
    const saga = await this.store.find(orderId);
    if (!saga?.order) return false;
    // Reports for an order the saga has not paid yet came early: the inbox retries them.
    if (saga.status === 'placed' || saga.status === 'stock_reserved') throw unavailable(`Order ${orderId} is not paid yet`);
    if (saga.status !== 'paid') return false;
    await this.warehouse.commit({ orderId });
    return true;
  }

  private async ship({ orderId, trackingNumber }: CarrierReport, tx: Tx): Promise<void> {
    await this.transitions.move(orderId, ['paid'], { status: 'shipped', stock: 'committed', trackingNumber, shipmentStatus: 'in_transit', cancelRequested: null }, tx);
  }
}
