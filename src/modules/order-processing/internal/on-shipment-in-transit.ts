import type { EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { logisticsContract } from '../../logistics/contract.ts';
import type { CarrierReports } from './carrier-reports.ts';

type InTransit = PayloadOf<typeof logisticsContract.events.shipment_in_transit>;

/** The carrier picked the parcel up: the order is shipped. */
export class ShipOrder implements EventHandler<InTransit> {
  constructor(private readonly reports: CarrierReports) {}

  handle({ payload }: EventEnvelope<InTransit>, ctx: HandlerContext): Promise<void> {
    return this.reports.inTransit(payload, ctx);
  }
}
