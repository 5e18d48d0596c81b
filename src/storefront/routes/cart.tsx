import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import type { Api } from '../../kernel/contract.ts';
import { AppError, type FieldError } from '../../kernel/errors.ts';
import { cartContract } from '../../modules/cart/contract.ts';
import { orderTakingContract } from '../../modules/order-taking/contract.ts';
import { paymentContract } from '../../modules/payment/contract.ts';
import { userContract } from '../../modules/user/contract.ts';
import { countryChoices, countryCode } from '../countries.ts';
import { CartPage, type CheckoutValues } from '../pages/cart-page.tsx';
import type { FormErrors } from '../pages/parts.tsx';
import { rememberOrder } from '../session.ts';
import type { Visit } from '../visit.ts';
import { imagesOf, issuesOf, ProductForm, typed } from './forms.ts';
import { page } from './page-handler.ts';

const AddForm = ProductForm.extend({ quantity: z.coerce.number().int().min(1).max(99) });
const UpdateForm = ProductForm.extend({ quantity: z.coerce.number().int().min(0).max(99) });

/**
 * The checkout form, with Online Boutique's field names (its load generator posts exactly these).
 * The card fields go to the payment module's tokenizer and nowhere else: never stored, logged or
 * sent back into the page.
 */
const CheckoutForm = z.object({
  email: z.email('Enter an email address, e.g. ana@example.com').max(254).optional(),
  name: z.string().trim().max(100).optional(),
  street_address: z.string().trim().min(1, 'Enter the street address').max(200),
  zip_code: z.string().trim().min(1, 'Enter the ZIP or postal code').max(20),
  city: z.string().trim().min(1, 'Enter the city').max(100),
  state: z.string().trim().max(100).optional(),
  country: z.string().trim().min(1, 'Choose the country').max(100),
  shipping_method: z.enum(['standard', 'express']).catch('standard'),
  credit_card_number: z.string().trim().min(1, 'Enter the card number').max(40),
  credit_card_expiration_month: z.coerce.number({ error: 'Enter the month (1-12)' }).int('Enter the month (1-12)').min(1, 'Enter the month (1-12)').max(12, 'Enter the month (1-12)'),
  credit_card_expiration_year: z.coerce.number({ error: 'Enter the year, e.g. 2030' }).int().min(2000, 'Enter the year, e.g. 2030').max(2200, 'Enter the year, e.g. 2030'),
  credit_card_cvv: z.string().trim().regex(/^\d{3,4}$/, 'Enter the 3 or 4 digits on the back of the card'),
  checkout_key: z.string().min(1).max(200).optional(),
});
type CheckoutForm = z.infer<typeof CheckoutForm>;

/** The tokenizer's field names, as the form calls them. */
const CARD_FIELDS: Record<string, string> = {
  number: 'credit_card_number',
  expMonth: 'credit_card_expiration_month',
  expYear: 'credit_card_expiration_year',
  cvv: 'credit_card_cvv',
};

/** Cart, its changes, and checkout: Online Boutique's `/cart`, `/cart/empty` and `/cart/checkout`, and more. */
export function cartRoutes(router: Router): void {
  router.get('/cart', page(async (visit) => showCart(visit, 200, {}, {})));

  router.post('/cart', page(async (visit) => {
    const form = AddForm.safeParse(visit.req.body);
    if (!form.success) throw new AppError('validation', 'Choose a product and a quantity from 1 to 99.');
    const added = await changeCart(() => visit.use(cartContract).addItem({ userId: visit.cartOwner, productId: form.data.product_id, quantity: form.data.quantity }));
    visit.redirect('/cart', added ? 'added' : 'limit');
  }));

  router.post('/cart/update', page(async (visit) => {
    const form = UpdateForm.safeParse(visit.req.body);
    if (!form.success) throw new AppError('validation', 'Choose a quantity from 0 to 99.');
    const changed = await changeCart(() => visit.use(cartContract).setQuantity({ userId: visit.cartOwner, productId: form.data.product_id, quantity: form.data.quantity }));
    visit.redirect('/cart', changed ? 'updated' : 'limit');
  }));

  router.post('/cart/remove', page(async (visit) => {
    const form = ProductForm.safeParse(visit.req.body);
    if (!form.success) throw new AppError('validation', 'Choose a product to remove.');
    // Removing what is already gone (a second click) is not an error to a shopper.
    await visit.use(cartContract).removeItem({ userId: visit.cartOwner, productId: form.data.product_id }).catch(ignoreNotFound);
    visit.redirect('/cart', 'updated');
  }));

  router.post('/cart/empty', page(async (visit) => {
    await visit.use(cartContract).clear({ userId: visit.cartOwner });
    visit.redirect('/', 'emptied');
  }));

  router.post('/cart/checkout', page(async (visit) => {
    const parsed = CheckoutForm.safeParse(visit.req.body);
    const values = keptValues(visit.req.body);
    if (!parsed.success) return showCart(visit, 422, values, issuesOf(parsed.error));
    const form = parsed.data;
    if (!visit.user && !form.email) return showCart(visit, 422, values, { email: 'Enter an email address, e.g. ana@example.com' });

    let paymentToken: string;
    try {
      ({ token: paymentToken } = await visit.use(paymentContract).tokenizeCard({
        number: form.credit_card_number,
        expMonth: form.credit_card_expiration_month,
        expYear: form.credit_card_expiration_year,
        cvv: form.credit_card_cvv,
      }));
    } catch (err) {
      if (err instanceof AppError && (err.kind === 'validation' || err.kind === 'unprocessable')) {
        return showCart(visit, 422, values, cardErrors(err.errors), err.errors?.length ? undefined : err.message);
      }
      throw err;
    }

    const owner = visit.user?.id ?? (await guestAccountFor(visit, form));
    const country = countryCode(form.country);
    // The same address again for the same lines: a resent form stays the same order request.
    const address = await visit.use(userContract).saveAddress({
      userId: owner,
      address: {
        name: (form.name || form.email || 'Customer').slice(0, 100),
        line1: form.street_address,
        // A country the shop cannot name ships to the rest of the world; the label keeps its name.
        line2: [form.state, country.known ? undefined : form.country].filter(Boolean).join(', ').slice(0, 200) || undefined,
        city: form.city,
        postalCode: form.zip_code,
        country: country.code,
      },
    });
    const request = { userId: owner, idempotencyKey: form.checkout_key ?? randomUUID(), checkout: { addressId: address.id, shippingMethod: form.shipping_method, paymentToken } };
    try {
      const order = await placeOnce(visit, request);
      rememberOrder(visit.session, order.id, owner);
      visit.redirect(`/order/${encodeURIComponent(order.id)}?placed=1`);
    } catch (err) {
      if (err instanceof AppError && (err.kind === 'unprocessable' || err.kind === 'conflict')) return showCart(visit, err.status, values, {}, shopperWords(err));
      throw err;
    }
  }));
}

/** How long a form sent twice waits for the first to finish before saying so. */
const SAME_CHECKOUT_WAITS_MS = [100, 200, 400, 800, 1_500];

/**
 * Places the order; a form sent twice at once (a double click) finds the first still being
 * placed (409), waits for it, and answers with the same order.
 */
async function placeOnce(visit: Visit, request: Parameters<Api<typeof orderTakingContract>['placeOrder']>[0]) {
  for (const wait of [...SAME_CHECKOUT_WAITS_MS, undefined]) {
    try {
      return (await visit.use(orderTakingContract).placeOrder(request)).order;
    } catch (err) {
      if (!(err instanceof AppError && err.kind === 'conflict') || wait === undefined) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  throw new Error('unreachable');
}

/** The order API's refusals in a shopper's words. */
function shopperWords(err: AppError): string {
  if (err.kind === 'conflict') return 'This order is still being placed. Wait a moment, then look at your orders or reload this page.';
  if (/Idempotency-Key/i.test(err.message)) return 'This checkout form was already used for another order. Reload the page and try again.';
  return err.message;
}

/**
 * The guest account a guest's order belongs to: made at their first checkout (with the email
 * they give), and their cart moved into it; the session then fills that account's cart. A second
 * checkout with the same email in the same session reuses it; another email gets another account.
 * The session's cart id is the account's key: a form sent twice (a double click, or again with
 * the cookie from before the first answer) finds the same account, so the order's idempotency
 * key meets the same request and gives the same order.
 */
async function guestAccountFor(visit: Visit, form: CheckoutForm): Promise<string> {
  const email = form.email!;
  const { session } = visit;
  if (session.guestEmail?.toLowerCase() === email.toLowerCase()) return session.cart;
  const { userId } = await visit.use(userContract).createGuest({ email, name: (form.name || email.split('@')[0] || 'Guest').slice(0, 100), guestKey: session.cart });
  await visit.use(cartContract).mergeCart({ fromUserId: session.cart, intoUserId: userId });
  session.cart = userId;
  session.guestEmail = email;
  return userId;
}

async function showCart(visit: Visit, status: number, values: CheckoutValues, errors: FormErrors, formError?: string): Promise<void> {
  const cart = await visit.use(cartContract).getCart({ userId: visit.cartOwner });
  const images = await imagesOf(visit, cart.items.map((l) => l.productId));
  visit.render(status, (
    <CartPage
      view={await visit.view()}
      cart={cart}
      images={images}
      checkoutKey={randomUUID()}
      values={values}
      errors={errors}
      formError={formError}
      countries={countryChoices()}
      signedIn={visit.user !== undefined}
    />
  ));
}

/** What a refused checkout form shows again: the address, never the card. */
function keptValues(body: Record<string, unknown> | undefined): CheckoutValues {
  const text = (key: string) => typed(body?.[key]);
  const country = text('country');
  return {
    email: text('email'),
    name: text('name'),
    street_address: text('street_address'),
    zip_code: text('zip_code'),
    city: text('city'),
    state: text('state'),
    country: country ? countryCode(country).code : undefined,
    shipping_method: text('shipping_method'),
  };
}

function cardErrors(errors: FieldError[] | undefined): FormErrors {
  const out: FormErrors = {};
  for (const e of errors ?? []) out[CARD_FIELDS[e.path] ?? 'credit_card_number'] ??= e.message;
  return out;
}

/** Adds or sets units; false when the cart refuses (over 99 units or the order limit): the cart is unchanged. */
async function changeCart(change: () => Promise<unknown>): Promise<boolean> {
  try {
    await change();
    return true;
  } catch (err) {
    if (err instanceof AppError && err.kind === 'unprocessable') return false;
    throw err;
  }
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof AppError && err.kind === 'not_found')) throw err;
}
