import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { logisticsContract } from '../../logistics/contract.ts';
import type { CarrierReports } from './carrier-reports.ts';

type Delivered = PayloadOf<typeof logisticsContract.events.shipment_delivered>;

/** The carrier handed the parcel over: the order is delivered. */
export class DeliverOrder implements EventHandler<Delivered> {
  constructor(private readonly reports: CarrierReports) {}

  handle({ payload }: EventEnvelope<Delivered>, ctx: HandlerContext): Promise<void> {
    return this.reports.delivered(payload, ctx);
  }
}
