import type { Implementation } from '../../src/kernel/contract.ts';
import { conflict, notFound, unavailable } from '../../src/kernel/errors.ts';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import type { CartContract } from '../../src/modules/cart/contract.ts';
import { logisticsContract, type LogisticsContract } from '../../src/modules/logistics/contract.ts';
import type { PaymentContract } from '../../src/modules/payment/contract.ts';
import type { WarehouseContract } from '../../src/modules/warehouse/contract.ts';

/**
 * Stand-ins for the modules around the order flow (cart, warehouse, payment, logistics), so the
 * order modules can be tested on their own, and their races provoked on purpose: every call can
 * be held at a gate or made to fail. They answer through the same contracts as the real ones.
 */

/** A call that waits until the test opens it. */
export class Gate {
  private open: () => void = () => undefined;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  private arrive: () => void = () => undefined;
  /** Resolves once a call is waiting at the gate. */
  readonly reached = new Promise<void>((resolve) => (this.arrive = resolve));

  pass(): Promise<void> {
    this.arrive();
    return this.opened;
  }

  release(): void {
    this.open();
  }
}

type Line = { productId: string; quantity: number };

export class FakeCart implements Partial<Implementation<CartContract>> {
  readonly carts = new Map<string, Array<Line & { unitPrice: number; available?: boolean }>>();
  gate: Gate | null = null;

  async getCart({ userId }: { userId: string }) {
    await this.gate?.pass();
    const items = (this.carts.get(userId) ?? []).map((l) => ({
      productId: l.productId, name: `Product ${l.productId}`, unitPrice: l.unitPrice, quantity: l.quantity,
      lineTotal: l.unitPrice * l.quantity, available: l.available ?? true, weightGrams: 100,
    }));
    return { items, subtotal: items.reduce((s, l) => s + l.lineTotal, 0), currency: 'USD' as const };
  }
}

export class FakeWarehouse implements Partial<Implementation<WarehouseContract>> {
  readonly stock = new Map<string, { onHand: number; reserved: number }>();
  readonly reservations = new Map<string, { lines: Line[]; state: 'reserved' | 'insufficient' | 'released' | 'committed' | 'cancelled' }>();
  gate: Gate | null = null;
  /** How many more release calls fail as if the warehouse were down. */
  releaseOutages = 0;

  async reserve({ orderId, lines }: { orderId: string; lines: Line[] }) {
    await this.gate?.pass();
    const known = this.reservations.get(orderId);
    if (!known) {
      const fits = lines.every((l) => { const s = this.stock.get(l.productId); return !!s && s.onHand - s.reserved >= l.quantity; });
      if (fits) for (const l of lines) this.stock.get(l.productId)!.reserved += l.quantity;
      this.reservations.set(orderId, { lines, state: fits ? 'reserved' : 'insufficient' });
    }
    const { state } = this.reservations.get(orderId)!;
    return { status: state === 'insufficient' || state === 'cancelled' ? state : 'reserved' as const, shortages: [] };
  }

  async release({ orderId }: { orderId: string }) {
    if (this.releaseOutages > 0) {
      this.releaseOutages--;
      throw unavailable('warehouse down (fake)');
    }
    const r = this.reservations.get(orderId);
    // As the real warehouse: a release before any reserve makes a later reserve hold nothing.
    if (!r) this.reservations.set(orderId, { lines: [], state: 'cancelled' });
    if (r?.state !== 'reserved') return { status: 'none' as const };
    for (const l of r.lines) this.stock.get(l.productId)!.reserved -= l.quantity;
    r.state = 'released';
    return { status: 'released' as const };
  }

  async commit({ orderId }: { orderId: string }) {
    const r = this.reservations.get(orderId);
    if (r?.state !== 'reserved') return { status: 'none' as const };
    for (const l of r.lines) {
      const s = this.stock.get(l.productId)!;
      s.onHand -= l.quantity;
      s.reserved -= l.quantity;
    }
    r.state = 'committed';
    return { status: 'committed' as const };
  }
}

export class FakePayment implements Partial<Implementation<PaymentContract>> {
  /** `authorized`: a charge begun whose process died before it finished (the real module refuses refunds then). */
  readonly payments = new Map<string, { amount: number; status: 'authorized' | 'captured' | 'declined' | 'refunded'; calls: number }>();
  /** Orders refunded before any charge (as the real module's voided orders). */
  readonly voided = new Set<string>();
  gate: Gate | null = null;
  /** How many more charge calls fail as if the gateway were down. */
  outages = 0;
  /** How many more charge calls do their work and then fail, as if their answer were lost on the way back. */
  lostAnswers = 0;

  async charge({ orderId, amount, paymentToken }: { orderId: string; amount: number; paymentToken: string }) {
    await this.gate?.pass();
    if (this.outages > 0) {
      this.outages--;
      throw unavailable('gateway down (fake)');
    }
    if (this.voided.has(orderId)) return this.answer({ status: 'cancelled' as const });
    const outcome = paymentToken === 'tok_chargeDeclined' ? 'declined' as const : 'captured' as const;
    const p = this.payments.get(orderId) ?? { amount, status: outcome, calls: 0 };
    // A charge begun and abandoned is finished by the next call with its key, as a gateway does.
    if (p.status === 'authorized') p.status = outcome;
    p.calls++;
    this.payments.set(orderId, p);
    return this.answer({ status: p.status === 'declined' ? 'declined' as const : 'captured' as const, paymentId: `pay-${orderId}` });
  }

  private answer<T>(answer: T): T {
    if (this.lostAnswers > 0) {
      this.lostAnswers--;
      throw unavailable('the answer was lost (fake)');
    }
    return answer;
  }

  async refund({ orderId }: { orderId: string }) {
    const p = this.payments.get(orderId);
    if (!p) this.voided.add(orderId);
    if (p?.status === 'authorized') throw unavailable('The charge of this order is still in progress (fake)');
    if (p?.status === 'refunded') return { status: 'refunded' as const };
    if (p?.status !== 'captured') return { status: 'none' as const };
    p.status = 'refunded';
    return { status: 'refunded' as const };
  }
}

export class FakeLogistics implements Partial<Implementation<LogisticsContract>> {
  readonly shipments = new Map<string, { trackingNumber: string; status: 'created' | 'in_transit' | 'delivered' | 'cancelled' }>();
  /** Orders whose shipment was cancelled before it was booked (as the real module's). */
  readonly cancelledBookings = new Set<string>();
  /** The fake module's own database, whose outbox carries the fake's events. */
  private db!: ModuleDb;

  attach(db: ModuleDb): this {
    this.db = db;
    return this;
  }

  async quote() {
    return { options: [{ method: 'standard' as const, cost: 500, currency: 'USD' as const, etaDays: 5 }, { method: 'express' as const, cost: 1500, currency: 'USD' as const, etaDays: 1 }] };
  }

  async createShipment({ orderId, method }: { orderId: string; method: 'standard' | 'express' }) {
    if (this.cancelledBookings.has(orderId) && !this.shipments.has(orderId)) throw conflict('This order was cancelled before its shipment was booked (fake)');
    if (!this.shipments.has(orderId)) {
      const trackingNumber = `TRK-${orderId.slice(0, 8)}`;
      this.shipments.set(orderId, { trackingNumber, status: 'created' });
      await this.db.transaction(async (tx) => tx.publish(logisticsContract.events.shipment_created, { orderId, trackingNumber }, { key: orderId }));
    }
    const s = this.shipments.get(orderId)!;
    return { ...s, orderId, method, events: [] };
  }

  async cancelShipment({ orderId }: { orderId: string }) {
    const s = this.shipments.get(orderId);
    if (!s) this.cancelledBookings.add(orderId);
    if (!s || s.status === 'cancelled') return { status: s ? 'cancelled' as const : 'none' as const };
    if (s.status !== 'created') throw conflict('The parcel has left');
    s.status = 'cancelled';
    return { status: 'cancelled' as const };
  }

  /** The carrier reports a parcel; `announce: false` leaves the report unannounced (as if its event were still on its way). */
  async report(orderId: string, status: 'in_transit' | 'delivered', announce = true): Promise<void> {
    const s = this.shipments.get(orderId);
    if (!s) throw notFound('Shipment');
    s.status = status;
    if (!announce) return;
    const event = status === 'in_transit' ? logisticsContract.events.shipment_in_transit : logisticsContract.events.shipment_delivered;
    const payload = { orderId, trackingNumber: s.trackingNumber, at: new Date().toISOString() };
    await this.db.transaction(async (tx) => tx.publish(event, payload, { key: orderId }));
  }
}

export interface Neighbours {
  cart: FakeCart;
  warehouse: FakeWarehouse;
  payment: FakePayment;
  logistics: FakeLogistics;
}

export function fakeNeighbours(): Neighbours {
  return { cart: new FakeCart(), warehouse: new FakeWarehouse(), payment: new FakePayment(), logistics: new FakeLogistics() };
}
