import type { z } from 'zod';
import type { CancelReason } from '../../order-processing/contract.ts';
import type { NotificationKind } from '../contract.ts';

type Kind = z.infer<typeof NotificationKind>;

/** What happened, in the words a template needs. One variant per kind of notice. */
export type NoticeFacts =
  | { kind: 'order_placed' | 'order_paid' | 'order_shipped' | 'order_delivered'; orderId: string }
  | { kind: 'order_cancelled'; orderId: string; reason?: CancelReason }
  | { kind: 'price_drop'; productName: string; oldPrice: number; newPrice: number }
  | { kind: 'back_in_stock'; productName: string }
  | { kind: 'low_stock'; productName: string; available: number; threshold: number };

export interface Message {
  /** The in-app title and the email subject. */
  subject: string;
  /** The in-app body and the heart of the email. */
  text: string;
}

const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
/** Money travels as integer cents; people read dollars. */
const money = (cents: number) => dollars.format(cents / 100);
/** Enough of the id to recognise the order in a list without a wall of hex. */
const orderRef = (orderId: string) => `#${orderId.slice(0, 8)}`;

const cancelWords: Record<CancelReason, string> = {
  out_of_stock: 'out of stock',
  payment_declined: 'your card was declined',
  customer_request: 'you cancelled it',
  admin_request: 'our staff cancelled it; any payment is refunded',
};

type Templates = { [K in Kind]: (facts: Extract<NoticeFacts, { kind: K }>) => Message };

const templates: Templates = {
  order_placed: ({ orderId }) => ({
    subject: `Order ${orderRef(orderId)} placed`,
    text: `We received your order ${orderRef(orderId)} and are getting it ready.`,
  }),
  order_paid: ({ orderId }) => ({
    subject: `Order ${orderRef(orderId)} paid`,
    text: `Your payment for order ${orderRef(orderId)} went through. We will tell you when it ships.`,
  }),
  order_shipped: ({ orderId }) => ({
    subject: `Order ${orderRef(orderId)} shipped`,
    text: `Your order ${orderRef(orderId)} is on its way.`,
  }),
  order_delivered: ({ orderId }) => ({
    subject: `Order ${orderRef(orderId)} delivered`,
    text: `Your order ${orderRef(orderId)} was delivered. Enjoy!`,
  }),
  order_cancelled: ({ orderId, reason }) => ({
    subject: `Order ${orderRef(orderId)} cancelled`,
    text: `Your order ${orderRef(orderId)} was cancelled${reason ? `: ${cancelWords[reason]}` : ''}. Any payment taken is refunded.`,
  }),
  price_drop: ({ productName, oldPrice, newPrice }) => ({
    subject: `Price drop: ${productName}`,
    text: `${productName} on your wishlist is now ${money(newPrice)} (was ${money(oldPrice)}).`,
  }),
  back_in_stock: ({ productName }) => ({
    subject: `Back in stock: ${productName}`,
    text: `${productName} on your wishlist is available again.`,
  }),
  low_stock: ({ productName, available, threshold }) => ({
    subject: `Low stock: ${productName}`,
    text: `${productName} is down to ${available} available (threshold ${threshold}). Time to restock.`,
  }),
};

/** The in-app notice for a fact. */
export function renderNotice(facts: NoticeFacts): Message {
  return (templates[facts.kind] as (f: NoticeFacts) => Message)(facts);
}

/**
 * The email for a notice: the same words, then a link to the order it is about (the storefront
 * serves `/order/<id>`, asking a guest for the email used at checkout), then why the reader got it
 * and how to stop it (a guest, who has no account settings to stop it in, is told why alone). The
 * in-app notice has no link: it is read inside the shop, and a stored notice would keep a link
 * that a later SHOP_URL no longer serves.
 */
export function renderEmail(notice: Message, facts: NoticeFacts, shopUrl: string, guest = false): Message {
  const link = 'orderId' in facts ? [`See your order: ${shopUrl}/order/${encodeURIComponent(facts.orderId)}`, ''] : [];
  // A guest has no account to turn emails off in: they hear only of the orders they placed.
  const why = guest
    ? ['Cleave Shop. You get these emails about the orders you placed', 'as a guest with this address.']
    : ['Cleave Shop. You get these emails because email notifications are on;', 'turn them off in your account preferences.'];
  return {
    subject: notice.subject,
    text: [
      'Hello,',
      '',
      notice.text,
      '',
      ...link,
      '--',
      ...why,
      '',
    ].join('\n'),
  };
}
