import type { Cart } from '../../modules/cart/contract.ts';
import { chargedPrice } from '../money/display-currency.ts';
import { Layout } from './layout.tsx';
import { Csrf, Field, Price, ProductButton, ProductImage, type FormErrors } from './parts.tsx';
import type { View } from './view.ts';

/** What the checkout form holds between a refused post and the next try (never the card). */
export interface CheckoutValues {
  email?: string;
  name?: string;
  street_address?: string;
  zip_code?: string;
  city?: string;
  state?: string;
  country?: string;
  shipping_method?: string;
}

export function CartPage(props: {
  view: View;
  cart: Cart;
  images: Map<string, string | undefined>;
  checkoutKey: string;
  values: CheckoutValues;
  errors: FormErrors;
  formError?: string;
  countries: Array<{ code: string; name: string }>;
  signedIn: boolean;
}) {
  const { view, cart, values, errors } = props;
  const buyable = cart.items.filter((i) => i.available);
  return (
    <Layout view={view} title="Cart">
      <h1>Your cart</h1>
      {cart.items.length === 0 && props.formError && <p class="form-error" role="alert">{props.formError}</p>}
      {cart.items.length === 0 ? (
        <p>Your cart is empty. <a href="/">Continue shopping</a>.</p>
      ) : (
        <div class="cart-layout">
          <section aria-labelledby="cart-items">
            <h2 id="cart-items" class="visually-hidden">Items</h2>
            <ul class="cart-lines">
              {cart.items.map((line) => (
                <li class={`cart-line${line.available ? '' : ' gone'}`}>
                  <ProductImage url={props.images.get(line.productId)} name={line.name} size="card" />
                  <div>
                    <a href={`/product/${encodeURIComponent(line.productId)}`}>{line.name}</a>
                    {!line.available && <p class="unavailable">No longer sold; it will not be ordered.</p>}
                    <form action="/cart/update" method="post" class="inline quantity">
                      <Csrf view={view} />
                      <input type="hidden" name="product_id" value={line.productId} />
                      <label for={`qty-${line.productId}`}>Quantity</label>
                      <input id={`qty-${line.productId}`} name="quantity" type="number" min="0" max="99" value={String(line.quantity)} inputMode="numeric" />
                      <button type="submit" class="secondary">Update</button>
                    </form>
                    <ProductButton view={view} action="/cart/remove" productId={line.productId} label="Remove" kind="link" />
                  </div>
                  <Price cents={line.lineTotal} view={view} />
                </li>
              ))}
            </ul>
            <p class="subtotal">Subtotal: <Price cents={cart.subtotal} view={view} /></p>
            <form action="/cart/empty" method="post" class="inline">
              <Csrf view={view} />
              <button type="submit" class="link">Empty cart</button>
            </form>
          </section>
          {buyable.length > 0 && (
            <section class="checkout" aria-labelledby="checkout-heading">
              <h2 id="checkout-heading">Checkout</h2>
              <p class="charge-note">
                You will be charged in US dollars: {chargedPrice(cart.subtotal)} plus shipping
                {view.currency !== 'USD' && <> (prices in {view.currency} are shown for convenience)</>}.
              </p>
              {props.formError && <p class="form-error" role="alert">{props.formError}</p>}
              <form action="/cart/checkout" method="post" novalidate>
                <Csrf view={view} />
                <input type="hidden" name="checkout_key" value={props.checkoutKey} />
                <fieldset>
                  <legend>Contact and delivery</legend>
                  {props.signedIn ? (
                    <p>Ordering with your account: we send the order's status to its email.</p>
                  ) : (
                    <Field name="email" label="Email" type="email" autocomplete="email" value={values.email} errors={errors} required hint="We send the order's status here; no account needed." />
                  )}
                  <Field name="name" label="Full name" autocomplete="name" value={values.name} errors={errors} />
                  <Field name="street_address" label="Street address" autocomplete="street-address" value={values.street_address} errors={errors} required />
                  <Field name="zip_code" label="ZIP or postal code" autocomplete="postal-code" value={values.zip_code} errors={errors} required />
                  <Field name="city" label="City" autocomplete="address-level2" value={values.city} errors={errors} required />
                  <Field name="state" label="State or region" autocomplete="address-level1" value={values.state} errors={errors} />
                  <Field name="country" label="Country" errors={errors}>
                    <select id="f-country" name="country" autocomplete="country">
                      {props.countries.map((c) => <option value={c.code} selected={c.code === (values.country ?? 'US')}>{c.name}</option>)}
                    </select>
                  </Field>
                  <Field name="shipping_method" label="Shipping" errors={errors}>
                    <select id="f-shipping_method" name="shipping_method">
                      <option value="standard" selected={values.shipping_method !== 'express'}>Standard</option>
                      <option value="express" selected={values.shipping_method === 'express'}>Express</option>
                    </select>
                  </Field>
                </fieldset>
                <fieldset>
                  <legend>Card</legend>
                  <Field name="credit_card_number" label="Card number" autocomplete="cc-number" inputmode="numeric" errors={errors} required hint="Test shop: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined." />
                  <div class="row">
                    <Field name="credit_card_expiration_month" label="Expiry month" autocomplete="cc-exp-month" inputmode="numeric" errors={errors} required />
                    <Field name="credit_card_expiration_year" label="Expiry year" autocomplete="cc-exp-year" inputmode="numeric" errors={errors} required />
                    <Field name="credit_card_cvv" label="CVV" autocomplete="cc-csc" inputmode="numeric" errors={errors} required />
                  </div>
                </fieldset>
                <button type="submit" class="primary">Place order</button>
              </form>
            </section>
          )}
        </div>
      )}
    </Layout>
  );
}
