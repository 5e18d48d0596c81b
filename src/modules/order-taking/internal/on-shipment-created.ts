import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { logisticsContract } from '../../logistics/contract.ts';
import type { OrderTakingStore } from './order-taking-store.ts';

type ShipmentCreated = PayloadOf<typeof logisticsContract.events.shipment_created>;

/**
 * Shows the tracking number as soon as the parcel is booked: booking does not change the order's
 * status, so no status report carries it until the carrier picks the parcel up.
 */
export class NoteTrackingNumber implements EventHandler<ShipmentCreated> {
  constructor(private readonly store: OrderTakingStore) {}

  handle({ payload, occurredAt }: EventEnvelope<ShipmentCreated>, ctx: HandlerContext): void {
    ctx.commit(() => this.store.recordShipment(payload.orderId, payload.trackingNumber, occurredAt));
  }
}
