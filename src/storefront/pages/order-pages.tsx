import type { Order } from '../../modules/order-taking/contract.ts';
import { chargedPrice } from '../money/display-currency.ts';
import { Layout } from './layout.tsx';
import { Csrf, Field, Price, type FormErrors } from './parts.tsx';
import type { View } from './view.ts';

const STATUS_WORDS: Record<string, string> = {
  placed: 'Placed: we are reserving your items and taking payment',
  paid: 'Paid: we are getting it ready to ship',
  shipped: 'Shipped: it is on its way',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};
const CANCEL_WORDS: Record<string, string> = {
  out_of_stock: 'an item ran out of stock',
  payment_declined: 'the card was declined',
  customer_request: 'you cancelled it',
  admin_request: 'our staff cancelled it; any payment is refunded',
};

/** An order's confirmation and status; refreshes itself while the order is still being processed. */
export function OrderPage({ view, order, justPlaced }: { view: View; order: Order; justPlaced: boolean }) {
  const moving = order.status === 'placed';
  return (
    <Layout view={view} title={`Order ${order.id.slice(0, 8)}`} refreshSeconds={moving ? 2 : undefined}>
      {justPlaced && <p class="confirmation">Thank you! Your order is placed.</p>}
      <h1>Order <span class="order-ref">{order.id}</span></h1>
      <p class={`status status-${order.status}`} data-status={order.status} aria-live="polite">
        {STATUS_WORDS[order.status] ?? order.status}
        {order.cancelReason && <>: {CANCEL_WORDS[order.cancelReason] ?? order.cancelReason}</>}
      </p>
      <table class="order-lines">
        <caption class="visually-hidden">Items ordered</caption>
        <thead><tr><th scope="col">Item</th><th scope="col">Quantity</th><th scope="col">Total</th></tr></thead>
        <tbody>
          {order.items.map((l) => (
            <tr><td><a href={`/product/${encodeURIComponent(l.productId)}`}>{l.name}</a></td><td>{l.quantity}</td><td><Price cents={l.lineTotal} view={view} /></td></tr>
          ))}
        </tbody>
        <tfoot>
          <tr><th scope="row" colSpan={2}>Shipping ({order.shippingMethod})</th><td><Price cents={order.shippingCost} view={view} /></td></tr>
          <tr><th scope="row" colSpan={2}>Total charged</th><td>{chargedPrice(order.total)}</td></tr>
        </tfoot>
      </table>
      {order.shipment && <p>Tracking number: <span class="tracking">{order.shipment.trackingNumber}</span> ({order.shipment.status})</p>}
      <h2>History</h2>
      <ol class="history">
        {order.history.map((h) => <li><time dateTime={h.at}>{new Date(h.at).toUTCString()}</time>: {h.status.replaceAll("_", " ")}</li>)}
      </ol>
      <p><a href="/">Continue shopping</a></p>
    </Layout>
  );
}

/** For an order link opened without the session that placed it: the email used at checkout opens it. */
export function OrderLookupPage({ view, orderId, errors }: { view: View; orderId: string; errors: FormErrors }) {
  return (
    <Layout view={view} title="Find your order">
      <h1>Find your order</h1>
      <p>Enter the email address you used at checkout to see order <span class="order-ref">{orderId}</span>.</p>
      <form action={`/order/${encodeURIComponent(orderId)}`} method="post" class="narrow">
        <Csrf view={view} />
        <Field name="email" label="Email" type="email" autocomplete="email" errors={errors} required />
        <button type="submit" class="primary">Show my order</button>
      </form>
      <p>Have an account? <a href={`/login?next=${encodeURIComponent(`/order/${orderId}`)}`}>Sign in</a> instead.</p>
    </Layout>
  );
}

export function OrdersPage({ view, orders }: { view: View; orders: Array<Pick<Order, 'id' | 'status' | 'total' | 'createdAt'>> }) {
  return (
    <Layout view={view} title="Your orders">
      <h1>Your orders</h1>
      {orders.length === 0 ? <p>No orders yet.</p> : (
        <table class="orders">
          <thead><tr><th scope="col">Order</th><th scope="col">Placed</th><th scope="col">Status</th><th scope="col">Total</th></tr></thead>
          <tbody>
            {orders.map((o) => (
              <tr>
                <td><a href={`/order/${encodeURIComponent(o.id)}`}>{o.id.slice(0, 8)}</a></td>
                <td><time dateTime={o.createdAt}>{o.createdAt.slice(0, 10)}</time></td>
                <td>{o.status}</td>
                <td>{chargedPrice(o.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
