import { randomInt } from 'node:crypto';
import { MONEY_LIMIT, withinMoneyLimit, type Api, type Implementation, type Viewer } from '../../../kernel/contract.ts';
import { AppError, conflict, notFound, unprocessable } from '../../../kernel/errors.ts';
import type { Tx } from '../../../kernel/persistence/sql.ts';
import type { CatalogContract } from '../../catalog/contract.ts';
import { logisticsContract, type LogisticsContract, type Shipment } from '../contract.ts';
import { isSignedByCarrier } from './carrier-signature.ts';
import { parseCarrierReport } from './carrier-report.ts';
import type { LogisticsStore, ShipmentRow, ShipmentStatus } from './logistics-store.ts';
import { shippingOptions } from './rates.ts';

type Method = ShipmentRow['method'];
interface Line {
  productId: string;
  quantity: number;
}

/** The carrier's steps in order; a report may skip one (delivered straight from created). */
const JOURNEY = ['in_transit', 'delivered'] as const;
const RANK: Record<ShipmentStatus, number> = { created: 0, in_transit: 1, delivered: 2, cancelled: -1 };
const TRACKING_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The logistics module's use cases; each public method is one call of its contract. */
export class LogisticsService implements Implementation<LogisticsContract> {
  constructor(
    private readonly store: LogisticsStore,
    private readonly catalog: Api<CatalogContract>,
    private readonly carrierSecret: string,
  ) {}

  async quote({ items, address }: { items: Line[]; address: { country: string } }) {
    const productIds = [...new Set(items.map((i) => i.productId))];
    const { items: products } = await this.catalog.getProducts({ productIds });
    const grams = new Map(products.map((p) => [p.id, p.weightGrams]));
    const missing = productIds.find((id) => !grams.has(id));
    if (missing) throw notFound(`Product ${missing}`);
    const totalGrams = items.reduce((sum, i) => sum + grams.get(i.productId)! * i.quantity, 0);
    const options = shippingOptions(address.country, totalGrams);
    // Costs grow with weight without end (up to 1 t a unit), so a heavy enough parcel prices past the bound.
    if (!options.every((o) => withinMoneyLimit(o.cost))) {
      throw unprocessable(`Shipping ${Math.ceil(totalGrams / 1000).toLocaleString('en-US')} kg would cost more than ${MONEY_LIMIT}; split the order`);
    }
    return { options };
  }

  async createShipment(input: { orderId: string; userId: string; method: Method; address: { country: string; postalCode: string } }): Promise<Shipment> {
    const row = await this.store.transaction(async (tx) => {
      const existing = await this.store.byOrder(input.orderId, tx);
      if (existing) return existing;
      if (await this.store.bookingCancelled(input.orderId, tx)) throw conflict('This order was cancelled before its shipment was booked');
      const now = new Date().toISOString();
      const shipment: ShipmentRow = {
        trackingNumber: await this.newTrackingNumber(tx),
        orderId: input.orderId,
        userId: input.userId,
        method: input.method,
        country: input.address.country,
        postalCode: input.address.postalCode,
        status: 'created',
        createdAt: now,
        updatedAt: now,
      };
      await this.store.insert(tx, shipment);
      await tx.publish(logisticsContract.events.shipment_created, { orderId: shipment.orderId, trackingNumber: shipment.trackingNumber }, { key: shipment.orderId });
      return shipment;
    });
    return this.toShipment(row);
  }

  cancelShipment({ orderId }: { orderId: string }) {
    return this.store.transaction(async (tx) => {
      const shipment = await this.store.byOrder(orderId, tx);
      if (!shipment) {
        // A booking still on its way (from another replica of order-processing) is then refused.
        await this.store.cancelBooking(tx, orderId);
        return { status: 'none' as const };
      }
      if (shipment.status === 'cancelled') return { status: 'cancelled' as const };
      if (shipment.status !== 'created') throw conflict('The parcel is already with the carrier');
      await this.store.move(tx, shipment.trackingNumber, 'cancelled', new Date().toISOString());
      return { status: 'cancelled' as const };
    });
  }

  async getShipment({ trackingNumber, viewer }: { trackingNumber: string; viewer: Viewer }): Promise<Shipment> {
    const shipment = await this.store.byTrackingNumber(trackingNumber);
    if (!shipment || (viewer.role !== 'admin' && shipment.userId !== viewer.userId)) throw notFound('Shipment');
    return this.toShipment(shipment);
  }

  async recordCarrierEvent({ rawBody, signature }: { rawBody: string; signature: string }) {
    // The signature comes first: whoever cannot sign learns nothing about what else is wrong with the body.
    if (!isSignedByCarrier(this.carrierSecret, rawBody, signature)) throw new AppError('unauthorized', 'Missing or wrong X-Carrier-Signature');
    const report = parseCarrierReport(rawBody);
    await this.store.transaction(async (tx) => {
      const shipment = await this.store.byTrackingNumber(report.trackingNumber, tx);
      if (!shipment) throw notFound('Shipment');
      if (shipment.status === 'cancelled') return;
      // Only forward: replays and late reports of an earlier step change nothing and announce nothing.
      for (const step of JOURNEY.filter((s) => RANK[s] > RANK[shipment.status] && RANK[s] <= RANK[report.status])) {
        await this.store.move(tx, shipment.trackingNumber, step, report.at);
        const event = step === 'in_transit' ? logisticsContract.events.shipment_in_transit : logisticsContract.events.shipment_delivered;
        await tx.publish(event, { orderId: shipment.orderId, trackingNumber: shipment.trackingNumber, at: report.at }, { key: shipment.orderId });
      }
    });
    return {};
  }

  /** `CLV` + 12 random capitals and digits; drawn again in the unlikely case it is taken. */
  private async newTrackingNumber(tx: Tx): Promise<string> {
    for (;;) {
      const candidate = 'CLV' + Array.from({ length: 12 }, () => TRACKING_ALPHABET[randomInt(TRACKING_ALPHABET.length)]).join('');
      if (!(await this.store.byTrackingNumber(candidate, tx))) return candidate;
    }
  }

  private async toShipment(row: ShipmentRow): Promise<Shipment> {
    return { trackingNumber: row.trackingNumber, orderId: row.orderId, status: row.status, method: row.method, events: await this.store.history(row.trackingNumber) };
  }
}
