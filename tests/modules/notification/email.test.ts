import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartContract } from '../../../src/modules/cart/contract.ts';
import { orderTakingContract } from '../../../src/modules/order-taking/contract.ts';
import { userContract } from '../../../src/modules/user/contract.ts';
import { Assortment } from '../../support/assortment.ts';
import { ADMIN } from '../../support/env.ts';
import { ShopClient } from '../../support/client.ts';
import { eventually } from '../../support/eventually.ts';
import { Mailbox } from '../../support/mailbox.ts';
import { replayEvents } from '../../support/replay.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';
import { Shopper } from '../../support/shopper.ts';

const SHOP_URL = 'https://shop.example.test';

let mailbox: Mailbox;
let shop: TestShop;
let api: ShopClient;
let admin: string;
let assortment: Assortment;

beforeAll(async () => {
  mailbox = await Mailbox.open();
  shop = await startTestShop({ env: { SMTP_URL: mailbox.url, SHOP_URL } });
  api = new ShopClient(shop.url);
  admin = await api.adminToken();
  assortment = await Assortment.open(api);
});
afterAll(async () => {
  await shop?.stop();
  await mailbox?.close();
});

/** Creates a product and takes its stock below the threshold: admins get a low-stock notice. */
async function lowStockOf(name: string): Promise<void> {
  const category = await assortment.category('Mail');
  const product = await assortment.product({ name, categoryId: category.id, price: 1000 });
  // The warehouse opens the product's stock row once it hears the catalog's event.
  await shop.settled();
  await assortment.stock(product.id, 10);
  await assortment.stock(product.id, 1);
  await shop.settled();
}

const mailsAbout = (name: string) => mailbox.to(ADMIN.email).filter((m) => m.subject === `Low stock: ${name}`);

async function setEmail(token: string, on: boolean): Promise<void> {
  expect((await api.patch('/api/users/me', { preferences: { emailNotifications: on } }, token)).status).toBe(200);
  await shop.settled();
}

describe('notification: email', () => {
  it('emails a notice to its recipient through SMTP, once', async () => {
    await lowStockOf('Copper Kettle');
    await eventually(() => mailsAbout('Copper Kettle'), (m) => m.length > 0, { what: 'the low-stock email' });
    expect(mailsAbout('Copper Kettle')[0].raw).toContain('Copper Kettle is down to 1 available');
    await lowStockOf('Iron Skillet');
    await eventually(() => mailsAbout('Iron Skillet'), (m) => m.length > 0, { what: 'the second email' });
    expect(mailsAbout('Copper Kettle')).toHaveLength(1);
  });

  it('sends no email to a user who turned email notifications off, but still keeps the notice', async () => {
    await setEmail(admin, false);
    try {
      await lowStockOf('Quiet Teapot');
      const inbox = await api.get('/api/notifications?limit=100', admin);
      expect(inbox.body.items.map((n: { title: string }) => n.title)).toContain('Low stock: Quiet Teapot');
      // A later email proves the sender ran past the point where the muted one would have gone out.
      await setEmail(admin, true);
      await lowStockOf('Loud Whistle');
      await eventually(() => mailsAbout('Loud Whistle'), (m) => m.length > 0, { what: 'the email after unmuting' });
      expect(mailsAbout('Quiet Teapot')).toEqual([]);
    } finally {
      await setEmail(admin, true);
    }
  });

  it('tries again when the mail server refuses for a moment, and delivers the email once', async () => {
    mailbox.refuseNext(1);
    await lowStockOf('Stubborn Pan');
    await eventually(() => mailsAbout('Stubborn Pan'), (m) => m.length > 0, { what: 'the retried email' });
    expect(mailsAbout('Stubborn Pan')).toHaveLength(1);
  });

  it('emails a buyer who allows it one email per notice, and none to a buyer who does not', async () => {
    const category = await assortment.category('Mail orders');
    const product = await assortment.product({ name: 'Tea Towel', categoryId: category.id, price: 600 });
    await shop.settled();
    await assortment.stock(product.id, 100);
    const keen = await Shopper.register(api);
    const quiet = await Shopper.register(api);
    await quiet.setEmailNotifications(false);
    await shop.settled();

    // The quiet buyer goes first: once the keen buyer's emails are out, any of theirs would be too.
    await quiet.buy([{ productId: product.id }]);
    const keenOrder = await keen.buy([{ productId: product.id }]);
    await shop.settled();
    const ref = `#${keenOrder.slice(0, 8)}`;
    await eventually(() => mailbox.to(keen.email), (m) => m.length >= 2, { what: 'the buyer\'s two emails' });
    expect(mailbox.to(keen.email).map((m) => m.subject).sort()).toEqual([`Order ${ref} paid`, `Order ${ref} placed`]);

    const quietInbox = await api.get('/api/notifications', quiet.token);
    expect(quietInbox.body.total).toBe(2);
    expect(mailbox.to(quiet.email)).toEqual([]);
  });

  it("ends an order's emails with a link to the order on the shop's site, and other notices' with none", async () => {
    const category = await assortment.category('Linked orders');
    const product = await assortment.product({ name: 'Bread Knife', categoryId: category.id, price: 1800 });
    await shop.settled();
    await assortment.stock(product.id, 100);
    const buyer = await Shopper.register(api);
    const orderId = await buyer.buy([{ productId: product.id }]);
    await eventually(() => mailbox.to(buyer.email), (m) => m.length >= 2, { what: "the buyer's two emails" });
    for (const mail of mailbox.to(buyer.email)) expect(mail.text).toContain(`\nSee your order: ${SHOP_URL}/order/${orderId}\n`);
    // The in-app notice keeps to its words.
    const inbox = await api.get('/api/notifications', buyer.token);
    expect(inbox.body.items.map((n: { body: string }) => n.body).join()).not.toContain(SHOP_URL);
    await lowStockOf('Bread Bin');
    await eventually(() => mailsAbout('Bread Bin'), (m) => m.length > 0, { what: 'the low-stock email' });
    expect(mailsAbout('Bread Bin')[0].text).not.toContain('See your order');
  });

  it('tells a guest why the order emails come, and points a customer to the preference that stops them', async () => {
    const category = await assortment.category('Guest orders');
    const product = await assortment.product({ name: 'Tea Caddy', categoryId: category.id, price: 1400 });
    await shop.settled();
    await assortment.stock(product.id, 100);
    // A guest checkout, as the storefront makes one: a guest account, its address, its cart, the order.
    const email = `guest-${Date.now()}@example.test`;
    const { userId } = await shop.runtime.use(userContract).createGuest({ email, name: 'Gail Guest', guestKey: `guest_${randomUUID()}` });
    const address = await shop.runtime.use(userContract).saveAddress({ userId, address: { name: 'Gail Guest', line1: '1 Quay', city: 'Leith', postalCode: 'EH6 6QX', country: 'GB' } });
    await shop.runtime.use(cartContract).addItem({ userId, productId: product.id, quantity: 1 });
    await shop.runtime.use(orderTakingContract).placeOrder({ userId, idempotencyKey: randomUUID(), checkout: { addressId: address.id, shippingMethod: 'standard', paymentToken: 'tok_visa' } });
    await eventually(() => mailbox.to(email), (m) => m.length >= 2, { what: "the guest's two emails" });
    // Lines as the reader sees them (the mail's own line ends may be CRLF).
    const lines = (text: string) => text.split(/\r?\n/);
    for (const mail of mailbox.to(email)) {
      expect(lines(mail.text).slice(-3)).toEqual(['Cleave Shop. You get these emails about the orders you placed', 'as a guest with this address.', '']);
      expect(mail.text).not.toContain('account preferences');
    }
    const buyer = await Shopper.register(api);
    await buyer.buy([{ productId: product.id }]);
    await eventually(() => mailbox.to(buyer.email), (m) => m.length >= 2, { what: "the customer's two emails" });
    for (const mail of mailbox.to(buyer.email)) expect(lines(mail.text).at(-2)).toBe('turn them off in your account preferences.');
  });

  it('sends no email twice when every event is delivered again, even if the inbox records were lost', async () => {
    await shop.settled();
    await eventually(() => mailbox.received.length, (n) => n > 0);
    const sent = mailbox.received.length;
    const producers = ['user', 'catalog', 'warehouse', 'wishlist', 'order-taking', 'order-processing'];
    await replayEvents(shop, producers, { forgetHandled: ['notification'] });
    // An email queued by the replay would be on its way now; this one shows the sender has caught up.
    await lowStockOf('Late Colander');
    await eventually(() => mailsAbout('Late Colander'), (m) => m.length > 0, { what: 'the email after the replay' });
    expect(mailbox.received.length).toBe(sent + 1);
  });
});
