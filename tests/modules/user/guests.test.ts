import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartContract } from '../../../src/modules/cart/contract.ts';
import { orderTakingContract } from '../../../src/modules/order-taking/contract.ts';
import { userContract } from '../../../src/modules/user/contract.ts';
import { Assortment } from '../../support/assortment.ts';
import { ShopClient } from '../../support/client.ts';
import { countIn } from '../../support/db.ts';
import { eventually } from '../../support/eventually.ts';
import { startTestShop, type TestShop } from '../../support/in-process.ts';
import { Mailbox } from '../../support/mailbox.ts';
import { published } from '../../support/published.ts';

const SHOP_URL = 'https://shop.example.test';
const PASSWORD = 'correct-horse-1';
const ADDRESS = { name: 'Gail Guest', line1: '2 Side St', city: 'Springfield', postalCode: '12345', country: 'US' };

let mailbox: Mailbox;
let shop: TestShop;
let api: ShopClient;

beforeAll(async () => {
  mailbox = await Mailbox.open();
  shop = await startTestShop({ env: { SMTP_URL: mailbox.url, SHOP_URL } });
  api = new ShopClient(shop.url);
});
afterAll(async () => {
  await shop?.stop();
  await mailbox?.close();
});

const users = () => shop.runtime.use(userContract);
const freshEmail = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@example.test`;
/** A checkout session's key, as the storefront passes its guest cart id. */
const freshKey = () => `guest_${randomUUID()}`;
const login = (email: string, password: string) => api.post('/api/auth/login', { email, password });
/** What a refused sign-in tells the client. */
const refusal = (res: { status: number; body: { title?: string; detail?: string } }) => ({ status: res.status, title: res.body.title, detail: res.body.detail });
const usersWithEmail = (email: string) => countIn(shop, 'user', sql`SELECT count(*) AS n FROM users WHERE email = ${email}`);

describe('user: guest accounts', () => {
  it('creates a guest account no password opens: a sign-in with its email is answered as for an unknown email', async () => {
    const email = freshEmail('gail');
    const { userId } = await users().createGuest({ email, name: 'Gail Guest', guestKey: freshKey() });
    const unknown = refusal(await login(freshEmail('nobody'), 'any-password-1'));
    expect(unknown.status).toBe(401);
    for (const password of ['', PASSWORD, 'any-password-1']) expect(refusal(await login(email, password))).toEqual(unknown);
    expect(await users().getUser({ userId })).toMatchObject({ id: userId, email, name: 'Gail Guest', role: 'customer', guest: true });
    expect((await users().getUsers({ userIds: [userId] })).items).toEqual([expect.objectContaining({ id: userId, guest: true })]);
  });

  it("gives a guest who types a registered customer's email an account of its own, and leaves the customer's as it was", async () => {
    const customer = await api.registerCustomer('Carla Customer');
    const before = (await api.get('/api/users/me', customer.token)).body;
    const { userId } = await users().createGuest({ email: customer.email.toUpperCase(), name: 'Someone Else', guestKey: freshKey() });
    expect(userId).not.toBe(customer.id);
    expect((await users().getUser({ userId })).email).toBe(customer.email);
    await users().addAddress({ userId, address: ADDRESS });

    expect((await api.get('/api/users/me', customer.token)).body).toEqual(before);
    expect(before).not.toHaveProperty('guest');
    expect((await api.get('/api/users/me/addresses', customer.token)).body.items).toEqual([]);
    const signedIn = await login(customer.email, PASSWORD);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.id).toBe(customer.id);
    // The back office lists registered accounts: the guest is not one.
    const found = await api.get(`/api/admin/users?email=${encodeURIComponent(customer.email)}`, await api.adminToken());
    expect(found.body).toEqual({ items: [expect.objectContaining({ id: customer.id })], total: 1 });
  });

  it('makes a new guest account at each checkout session, even for the same email, announces none, and lets the email register later', async () => {
    const email = freshEmail('again');
    const first = await users().createGuest({ email, name: 'Gail', guestKey: freshKey() });
    const second = await users().createGuest({ email, name: 'Gail', guestKey: freshKey() });
    expect(second.userId).not.toBe(first.userId);
    const registered = await api.post('/api/auth/register', { email, password: PASSWORD, name: 'Gail Registered' });
    expect(registered.status).toBe(201);
    expect([first.userId, second.userId]).not.toContain(registered.body.user.id);
    expect((await login(email, PASSWORD)).body.user.id).toBe(registered.body.user.id);
    const announced = (await published(shop, 'user', { type: 'user.registered' })).filter((e) => e.payload.email === email);
    expect(announced.map((e) => e.payload.userId)).toEqual([registered.body.user.id]);
    // The email is now taken for registration, still free for guests.
    expect((await api.post('/api/auth/register', { email, password: PASSWORD, name: 'Twice' })).status).toBe(409);
    await users().createGuest({ email, name: 'Gail', guestKey: freshKey() });
    expect(await usersWithEmail(email)).toBe(4);
  });

  it('refuses a malformed email, name or key as invalid, as registration does, and creates no account', async () => {
    const email = freshEmail('bad');
    const guestKey = freshKey();
    const inputs = [
      { email: 'not-an-email', name: 'Gail', guestKey },
      { email, name: '   ', guestKey },
      { email, name: 'x'.repeat(101), guestKey },
      { email, name: 'Gail', guestKey, password: PASSWORD },
      { email, name: 'Gail' },
      { email, name: 'Gail', guestKey: '' },
      { email, name: 'Gail', guestKey: 'k'.repeat(101) },
    ];
    for (const input of inputs) {
      await expect(users().createGuest(input as { email: string; name: string; guestKey: string })).rejects.toMatchObject({ kind: 'validation' });
    }
    expect(await usersWithEmail(email)).toBe(0);
  });

  it('creates guests without the per-address limit of registrations (guests all check out through the storefront)', async () => {
    const created = await Promise.all(Array.from({ length: 25 }, (_, i) => users().createGuest({ email: freshEmail(`many-${i}`), name: 'Guest', guestKey: freshKey() })));
    expect(new Set(created.map((g) => g.userId)).size).toBe(25);
  });
});

describe('user: a guest checkout', () => {
  it("takes a guest's order to paid, emails the guest at the email given with a link to the order, and puts nothing in the account of the customer with that email", async () => {
    const shelf = await Assortment.open(api);
    const category = await shelf.category('Guest buys');
    const product = await shelf.product({ name: 'Picnic Blanket', categoryId: category.id, price: 2500 });
    await shop.settled();
    await shelf.stock(product.id, 10);
    const customer = await api.registerCustomer('Carla Customer');

    // The storefront keeps the visitor's cart under a guest id; at checkout it makes the guest's account.
    const visitor = `guest_${randomUUID()}`;
    await shop.runtime.use(cartContract).addItem({ userId: visitor, productId: product.id, quantity: 2 });
    const { userId } = await users().createGuest({ email: customer.email, name: 'Gail Guest', guestKey: visitor });
    await shop.runtime.use(cartContract).mergeCart({ fromUserId: visitor, intoUserId: userId });
    const address = await users().addAddress({ userId, address: ADDRESS });
    const orders = shop.runtime.use(orderTakingContract);
    const checkout = { addressId: address.id, shippingMethod: 'standard' as const, paymentToken: 'tok_visa' };
    const { order } = await orders.placeOrder({ userId, idempotencyKey: randomUUID(), checkout });
    expect(order.items).toEqual([expect.objectContaining({ productId: product.id, quantity: 2 })]);

    await eventually(() => orders.getOrder({ userId, orderId: order.id }), (o) => o.status === 'paid', { what: "the guest's order to be paid" });
    const ref = `#${order.id.slice(0, 8)}`;
    const mails = await eventually(() => mailbox.to(customer.email), (m) => m.length >= 2, { what: "the guest's two emails" });
    expect(mails.map((m) => m.subject).sort()).toEqual([`Order ${ref} paid`, `Order ${ref} placed`]);
    for (const mail of mails) expect(mail.text).toContain(`See your order: ${SHOP_URL}/order/${order.id}`);

    await shop.settled();
    expect((await api.get('/api/orders', customer.token)).body.total).toBe(0);
    expect((await api.get('/api/notifications', customer.token)).body.total).toBe(0);
    expect((await api.get('/api/cart', customer.token)).body.items).toEqual([]);
  });
});
