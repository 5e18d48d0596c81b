import type { ComponentChildren } from 'preact';
import { CSRF_FIELD } from '../csrf.ts';
import { displayPrice } from '../money/display-currency.ts';
import type { View } from './view.ts';

/** The hidden CSRF field; every form that posts carries it. */
export function Csrf({ view }: { view: View }) {
  return <input type="hidden" name={CSRF_FIELD} value={view.csrf} />;
}

/** A USD price shown in the visitor's currency. */
export function Price({ cents, view }: { cents: number; view: View }) {
  return <span class="price">{displayPrice(cents, view.currency)}</span>;
}

export function ProductImage({ url, name, size }: { url?: string; name: string; size: 'card' | 'large' }) {
  return <img class={`product-image ${size}`} src={url ?? '/static/img/placeholder.svg'} alt={name} loading={size === 'card' ? 'lazy' : 'eager'} />;
}

export interface CardProduct {
  id: string;
  name: string;
  price: number;
  imageUrl?: string;
}

export function ProductGrid({ products, view, label }: { products: CardProduct[]; view: View; label: string }) {
  return (
    <ul class="product-grid" aria-label={label}>
      {products.map((p) => (
        <li class="product-card">
          <a href={`/product/${encodeURIComponent(p.id)}`}>
            <ProductImage url={p.imageUrl} name={p.name} size="card" />
            <span class="product-name">{p.name}</span>
            <Price cents={p.price} view={view} />
          </a>
        </li>
      ))}
    </ul>
  );
}

/** Field errors of a form, by field name. */
export type FormErrors = Record<string, string>;

/** A labelled input with its error, tied together for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  value?: string | number;
  errors?: FormErrors;
  type?: string;
  autocomplete?: string;
  required?: boolean;
  inputmode?: 'numeric' | 'email' | 'text';
  hint?: string;
  children?: ComponentChildren;
}) {
  const error = props.errors?.[props.name];
  const id = `f-${props.name}`;
  const describedBy = [error ? `${id}-error` : '', props.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children ?? (
        <input
          id={id}
          name={props.name}
          type={props.type ?? 'text'}
          value={props.value === undefined ? undefined : String(props.value)}
          autocomplete={props.autocomplete}
          required={props.required}
          inputMode={props.inputmode}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy}
        />
      )}
      {props.hint && <small id={`${id}-hint`} class="hint">{props.hint}</small>}
      {error && <small id={`${id}-error`} class="error" role="alert">{error}</small>}
    </div>
  );
}

export function Pager({ page, pages, href }: { page: number; pages: number; href: (page: number) => string }) {
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {page > 1 ? <a href={href(page - 1)} rel="prev">← Previous</a> : <span />}
      <span>Page {page} of {pages}</span>
      {page < pages ? <a href={href(page + 1)} rel="next">Next →</a> : <span />}
    </nav>
  );
}

/** A form of one button acting on one product (remove from cart, move to cart, save to wishlist). */
export function ProductButton(props: { view: View; action: string; productId: string; label: string; kind: 'secondary' | 'link'; disabled?: boolean }) {
  return (
    <form action={props.action} method="post" class="inline">
      <Csrf view={props.view} />
      <input type="hidden" name="product_id" value={props.productId} />
      <button type="submit" class={props.kind} disabled={props.disabled}>{props.label}</button>
    </form>
  );
}
