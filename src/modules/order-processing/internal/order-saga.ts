import type { Api } from '../../../kernel/contract.ts';
import { AppError } from '../../../kernel/errors.ts';
import type { Logger } from '../../../kernel/logger.ts';
import type { LogisticsContract } from '../../logistics/contract.ts';
import type { PaymentContract } from '../../payment/contract.ts';
import type { WarehouseContract } from '../../warehouse/contract.ts';
import type { OrderLocks } from './order-locks.ts';
import { IN_FLIGHT, type OrderProcessingStore, type SagaRow } from './order-processing-store.ts';
import type { OrderTransitions } from './order-transitions.ts';
import type { PlacedOrder } from './schema.ts';

export interface Neighbours {
  warehouse: Api<WarehouseContract>;
  payment: Api<PaymentContract>;
  logistics: Api<LogisticsContract>;
}

const lines = (order: PlacedOrder) => order.items.map(({ productId, quantity }) => ({ productId, quantity }));
/** The charge of an order, the same each time it is asked for: the payment module keys it by order. */
const chargeOf = (orderId: string, order: PlacedOrder) => ({ orderId, userId: order.userId, amount: order.total, currency: 'USD' as const, paymentToken: order.paymentToken });

/**
 * Runs an order from placed to paid and booked for shipping, or to cancelled with everything
 * undone. Each step is a remote call followed by a local transaction recording its outcome, so a
 * retried or resumed run picks up where the last one stopped; the remote calls are idempotent per
 * order, which makes repeating the step that was cut short harmless.
 */
export class OrderSaga {
  private resuming: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly store: OrderProcessingStore,
    private readonly transitions: OrderTransitions,
    private readonly locks: OrderLocks,
    private readonly neighbours: Neighbours,
    private readonly logger: Logger,
  ) {}

  /** Takes the order as far as it can go now. Throws `unavailable` when a neighbour is down (retry later). */
  async advance(orderId: string): Promise<void> {
    while (await this.locks.run(orderId, () => this.step(orderId)));
  }

  /**
   * After a restart: finishes, in the background, every saga a killed process left half-way.
   * Resolves once the list of them is read (a failure to read it fails the start).
   */
  async resumeUnfinished(): Promise<void> {
    const unfinished = await this.store.unfinished();
    this.resuming = (async () => {
      for (const saga of unfinished) {
        if (this.stopping) return;
        await this.advance(saga.orderId).catch((err: unknown) => this.logger.warn({ err, orderId: saga.orderId }, 'could not resume an order yet; its redelivered event, a retried cancel or the next start will'));
      }
    })();
  }

  /** Lets a resume in progress end before the database closes. */
  stop(): Promise<void> {
    this.stopping = true;
    return this.resuming;
  }

  /** Runs the next step; true if there may be another one. */
  private async step(orderId: string): Promise<boolean> {
    const saga = await this.store.find(orderId);
    if (!saga?.order) return false;
    if (saga.cancelRequested && IN_FLIGHT.includes(saga.status)) return this.compensate(saga);
    if (saga.status === 'placed') return this.reserveStock(saga, saga.order);
    if (saga.status === 'stock_reserved') return this.charge(saga, saga.order);
    if (saga.status === 'paid' && !saga.trackingNumber) return this.bookShipment(saga, saga.order);
    return false;
  }

  private async reserveStock({ orderId }: SagaRow, order: PlacedOrder): Promise<boolean> {
    const { status } = await this.neighbours.warehouse.reserve({ orderId, lines: lines(order) });
    if (status === 'cancelled') return this.refused(orderId, 'its stock reservation');
    const moved = status === 'reserved'
      ? await this.transitions.move(orderId, ['placed'], { status: 'stock_reserved', stock: 'reserved' })
      : await this.transitions.move(orderId, ['placed'], { status: 'cancelled', cancelReason: 'out_of_stock', cancelRequested: null });
    return this.afterStep(orderId, moved);
  }

  private async charge({ orderId }: SagaRow, order: PlacedOrder): Promise<boolean> {
    const { status } = await this.neighbours.payment.charge(chargeOf(orderId, order));
    if (status === 'cancelled') return this.refused(orderId, 'its charge');
    if (status === 'declined') {
      await this.neighbours.warehouse.release({ orderId });
      const moved = await this.transitions.move(orderId, ['stock_reserved'], {
        status: 'cancelled', cancelReason: 'payment_declined', cancelRequested: null, payment: 'declined', stock: 'released',
      });
      return this.afterStep(orderId, moved);
    }
    return this.afterStep(orderId, await this.transitions.move(orderId, ['stock_reserved'], { status: 'paid', payment: 'captured' }));
  }

  private async bookShipment({ orderId }: SagaRow, order: PlacedOrder): Promise<boolean> {
    const { country, postalCode } = order.address;
    const shipment = await this.neighbours.logistics
      .createShipment({ orderId, userId: order.userId, method: order.shippingMethod, address: { country, postalCode }, items: lines(order) })
      .catch((err: unknown) => {
        if (err instanceof AppError && err.kind === 'conflict') return undefined;
        throw err;
      });
    if (!shipment) return this.refused(orderId, 'its shipment booking');
    const moved = await this.transitions.move(orderId, ['paid'], { trackingNumber: shipment.trackingNumber, shipmentStatus: shipment.status });
    return this.afterStep(orderId, moved);
  }

  /**
   * The refund of a cancelled order. The payment module refuses it while a charge of the order is
   * in flight (the money may yet be captured), and a charge stays in flight for good when the
   * process running it died half-way: the saga, now cancelling, never charges again, and the
   * refund would be refused forever. So on that refusal the charge is finished first, by the same
   * call with the same idempotency (the gateway answers its first outcome, charging nobody twice),
   * and the refund then finds money to give back or none.
   */
  private async refundSettlingCharge({ orderId, order }: SagaRow): Promise<'refunded' | 'none'> {
    try {
      return (await this.neighbours.payment.refund({ orderId })).status;
    } catch (err) {
      if (!(err instanceof AppError && err.kind === 'unavailable') || !order) throw err;
      await this.neighbours.payment.charge(chargeOf(orderId, order));
      return (await this.neighbours.payment.refund({ orderId })).status;
    }
  }

  /**
   * Undoes what the saga did, newest first: the shipment (refused once the parcel left, which
   * ends the cancellation), the payment, the stock. Each call is idempotent and harmless when
   * there is nothing to undo; a step cut short by a crash is covered because the checks go by
   * the status the order had reached, not by what was recorded.
   *
   * Another replica may be running a step of the same order meanwhile. Its call may not have
   * arrived yet: each undo then leaves a mark that makes the late call refuse (warehouse,
   * payment, logistics). Its call may have arrived and its status move follow: the cancellation
   * is recorded only from the status it saw, and otherwise runs again from the new one, undoing
   * that step too. So an order seen as only placed needs no refund: had another replica gone on
   * to charge it, the order would have left `placed` and this record would fail.
   */
  private async compensate(saga: SagaRow): Promise<boolean> {
    const { orderId, status } = saga;
    if (status === 'paid' && !(await this.cancelShipment(orderId))) {
      await this.transitions.move(orderId, IN_FLIGHT, { cancelRequested: null });
      return false;
    }
    const refund = status === 'placed' ? 'none' : await this.refundSettlingCharge(saga);
    const release = (await this.neighbours.warehouse.release({ orderId })).status;
    const moved = await this.transitions.move(orderId, [status], {
      status: 'cancelled',
      cancelReason: saga.cancelRequested,
      cancelRequested: null,
      payment: refund === 'refunded' ? 'refunded' : saga.payment,
      stock: release === 'released' ? 'released' : saga.stock,
      shipmentStatus: saga.trackingNumber ? 'cancelled' : saga.shipmentStatus,
    });
    return moved === undefined;
  }

  /**
   * A neighbour refused a step because the order was cancelled while the step was on its way
   * (see compensate). The saga is then cancelled, or has a cancellation to run, which the next
   * step does; anything else would repeat the refused step forever, so it fails loudly instead.
   */
  private async refused(orderId: string, step: string): Promise<boolean> {
    const now = await this.store.find(orderId);
    if (now?.status === 'cancelled') return this.afterStep(orderId, undefined);
    if (now?.cancelRequested) return true;
    throw new Error(`Order ${orderId}: ${step} was refused as cancelled, but the order is ${now?.status ?? 'unknown'} with no cancellation requested`);
  }

  /** False when the carrier already has the parcel. */
  private async cancelShipment(orderId: string): Promise<boolean> {
    try {
      await this.neighbours.logistics.cancelShipment({ orderId });
      return true;
    } catch (err) {
      if (err instanceof AppError && err.kind === 'conflict') return false;
      throw err;
    }
  }

  /**
   * A step whose outcome could not be recorded found the order moved on: another replica got
   * there first. If that was a cancellation, what this step just did must be undone too.
   */
  private async afterStep(orderId: string, moved: SagaRow | undefined): Promise<boolean> {
    if (moved) return true;
    const now = await this.store.find(orderId);
    if (now?.status !== 'cancelled') return true;
    if (await this.cancelShipment(orderId)) await this.neighbours.payment.refund({ orderId });
    await this.neighbours.warehouse.release({ orderId });
    return false;
  }
}
