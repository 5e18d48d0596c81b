import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../kernel/errors.ts';
import { cartContract } from '../../modules/cart/contract.ts';
import { notificationContract } from '../../modules/notification/contract.ts';
import { orderTakingContract, type Order } from '../../modules/order-taking/contract.ts';
import { userContract } from '../../modules/user/contract.ts';
import { wishlistContract } from '../../modules/wishlist/contract.ts';
import { NotificationsPage, RegisterPage, SignInPage, WishlistPage } from '../pages/account-pages.tsx';
import { OrderLookupPage, OrderPage, OrdersPage } from '../pages/order-pages.tsx';
import { rememberOrder, signedOutSession } from '../session.ts';
import { returnPathOf, safeReturnPath, type Visit } from '../visit.ts';
import { issuesOf, notFoundAsUndefined, ProductForm, typed } from './forms.ts';
import { page } from './page-handler.ts';

const SignInForm = z.object({ email: z.string().trim().min(1, 'Enter your email').max(254), password: z.string().min(1, 'Enter your password').max(200) });
const RegisterForm = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(100),
  email: z.email('Enter an email address, e.g. ana@example.com').max(254),
  password: z.string().min(8, 'At least 8 characters').max(200),
});

/** Sign-in, registration, sign-out, and what a customer sees of their own: orders, notices, wishlist. */
export function accountRoutes(router: Router): void {
  router.get('/login', page(async (visit) => {
    visit.render(200, <SignInPage view={await visit.view()} next={safeReturnPath(visit.req.query.next)} errors={{}} />);
  }));

  router.post('/login', page(async (visit) => {
    const next = safeReturnPath(visit.req.body?.next);
    const form = SignInForm.safeParse(visit.req.body);
    if (!form.success) return visit.render(422, <SignInPage view={await visit.view()} next={next} email={typed(visit.req.body?.email)} errors={issuesOf(form.error)} />);
    try {
      const { token, user } = await visit.use(userContract).login({ email: form.data.email, password: form.data.password, clientAddress: visit.req.ip ?? 'unknown' });
      await signIn(visit, token, user.id);
      visit.redirect(next, 'signedin');
    } catch (err) {
      if (err instanceof AppError && (err.kind === 'unauthorized' || err.kind === 'rate_limited' || err.kind === 'validation')) {
        return visit.render(err.status, <SignInPage view={await visit.view()} next={next} email={form.data.email} errors={{}} formError={err.message} />);
      }
      throw err;
    }
  }));

  router.get('/register', page(async (visit) => {
    visit.render(200, <RegisterPage view={await visit.view()} next={safeReturnPath(visit.req.query.next)} values={{}} errors={{}} />);
  }));

  router.post('/register', page(async (visit) => {
    const next = safeReturnPath(visit.req.body?.next);
    const values = { email: typed(visit.req.body?.email), name: typed(visit.req.body?.name) };
    const form = RegisterForm.safeParse(visit.req.body);
    if (!form.success) return visit.render(422, <RegisterPage view={await visit.view()} next={next} values={values} errors={issuesOf(form.error)} />);
    try {
      const { token, user } = await visit.use(userContract).register({ ...form.data, clientAddress: visit.req.ip ?? 'unknown' });
      await signIn(visit, token, user.id);
      visit.redirect(next, 'registered');
    } catch (err) {
      if (err instanceof AppError && (err.kind === 'conflict' || err.kind === 'rate_limited' || err.kind === 'validation')) {
        const message = err.kind === 'conflict' ? 'An account with this email exists. Sign in instead.' : err.message;
        return visit.render(err.status, <RegisterPage view={await visit.view()} next={next} values={values} errors={{}} formError={message} />);
      }
      throw err;
    }
  }));

  // The sign-out button posts (CSRF-checked) and ends every session of the account, as the API's
  // logout does. Online Boutique signs out with a GET (its load generator does), which another
  // site could trigger with a link: it only forgets this browser's session.
  const signOut = (everywhere: boolean) => page(async (visit) => {
    if (everywhere && visit.user) await visit.use(userContract).logout({ userId: visit.user.id });
    Object.assign(visit.session, signedOutSession(visit.session));
    visit.session.token = undefined;
    visit.session.guestEmail = undefined;
    visit.redirect('/', 'signedout');
  });
  router.get('/logout', signOut(false));
  router.post('/logout', signOut(true));

  router.get('/account/orders', page(async (visit) => {
    const user = signedIn(visit);
    if (!user) return;
    const { items } = await visit.use(orderTakingContract).listOrders({ userId: user.id, limit: 50, offset: 0 });
    visit.render(200, <OrdersPage view={await visit.view()} orders={items} />);
  }));

  router.get('/account/notifications', page(async (visit) => {
    const user = signedIn(visit);
    if (!user) return;
    const { items } = await visit.use(notificationContract).list({ userId: user.id, limit: 50, offset: 0 });
    visit.render(200, <NotificationsPage view={await visit.view()} items={items} />);
  }));

  router.get('/wishlist', page(async (visit) => {
    const user = signedIn(visit);
    if (!user) return;
    const { items } = await visit.use(wishlistContract).list({ userId: user.id });
    visit.render(200, <WishlistPage view={await visit.view()} items={items} />);
  }));

  router.post('/wishlist', page(async (visit) => {
    const form = ProductForm.safeParse(visit.req.body);
    if (!form.success) throw new AppError('validation', 'Choose a product to save.');
    const user = signedIn(visit, `/product/${encodeURIComponent(form.data.product_id)}`);
    if (!user) return;
    await visit.use(wishlistContract).add({ userId: user.id, productId: form.data.product_id });
    visit.redirect('/wishlist', 'wished');
  }));

  router.post('/wishlist/remove', page(async (visit) => {
    const user = signedIn(visit);
    if (!user) return;
    const form = ProductForm.safeParse(visit.req.body);
    if (!form.success) throw new AppError('validation', 'Choose a product to remove.');
    await visit.use(wishlistContract).remove({ userId: user.id, productId: form.data.product_id });
    visit.redirect('/wishlist');
  }));

  router.post('/wishlist/move-to-cart', page(async (visit) => {
    const user = signedIn(visit);
    if (!user) return;
    const form = ProductForm.safeParse(visit.req.body);
    if (!form.success) throw new AppError('validation', 'Choose a product to move.');
    await visit.use(wishlistContract).moveToCart({ userId: user.id, productId: form.data.product_id });
    visit.redirect('/cart', 'moved');
  }));

  router.get('/order/:id', page(async (visit) => {
    const orderId = String(visit.req.params.id);
    const order = await findOwnOrder(visit, orderId);
    if (!order) return visit.render(200, <OrderLookupPage view={await visit.view()} orderId={orderId} errors={{}} />);
    visit.render(200, <OrderPage view={await visit.view()} order={order} justPlaced={visit.req.query.placed === '1'} />);
  }));

  // The link in an order's emails, opened elsewhere: the checkout's email opens the order.
  router.post('/order/:id', page(async (visit) => {
    const orderId = String(visit.req.params.id);
    const email = typed(visit.req.body?.email)?.trim().toLowerCase() ?? '';
    const refuse = async () => visit.render(422, <OrderLookupPage view={await visit.view()} orderId={orderId} errors={{ email: 'No order with this number was placed with this email.' }} />);
    const owner = await visit.use(orderTakingContract).inspectOrder({ orderId }).then((o) => o.userId, notFoundAsUndefined);
    if (!owner || !email) return refuse();
    const user = await visit.use(userContract).getUser({ userId: owner }).catch(notFoundAsUndefined);
    if (user?.email.toLowerCase() !== email) return refuse();
    rememberOrder(visit.session, orderId, owner);
    visit.redirect(`/order/${encodeURIComponent(orderId)}`);
  }));
}

/** Signs the visitor in: the token goes into the session and their guest cart into the account. */
async function signIn(visit: Visit, token: string, userId: string): Promise<void> {
  if (visit.session.cart !== userId) await visit.use(cartContract).mergeCart({ fromUserId: visit.session.cart, intoUserId: userId });
  visit.session.token = token;
  // A new session id (and so a new CSRF token) once signed in: one learnt before is worth nothing.
  visit.session.sid = randomUUID();
}

/** The signed-in customer, or undefined after sending the visitor to sign in (and back here). */
function signedIn(visit: Visit, back = returnPathOf(visit.req)) {
  if (visit.user) return visit.user;
  visit.redirect(`/login?next=${encodeURIComponent(safeReturnPath(back))}`, 'signin');
  return undefined;
}

/** The order if this visitor may see it: their account's, or one this browser placed or opened by email. */
async function findOwnOrder(visit: Visit, orderId: string): Promise<Order | undefined> {
  const owners = [visit.user?.id, ...visit.session.orders.filter((o) => o.id === orderId).map((o) => o.owner)].filter((o): o is string => !!o);
  for (const userId of owners) {
    const order = await visit.use(orderTakingContract).getOrder({ userId, orderId }).catch(notFoundAsUndefined);
    if (order) return order;
  }
  return undefined;
}
