import type { z } from 'zod';
import type { Notification } from '../../modules/notification/contract.ts';
import type { WishlistItem } from '../../modules/wishlist/contract.ts';
import { Layout } from './layout.tsx';
import { Csrf, Field, Price, ProductButton, type FormErrors } from './parts.tsx';
import type { View } from './view.ts';

export function SignInPage({ view, next, email, errors, formError }: { view: View; next: string; email?: string; errors: FormErrors; formError?: string }) {
  return (
    <Layout view={view} title="Sign in">
      <h1>Sign in</h1>
      {formError && <p class="form-error" role="alert">{formError}</p>}
      <form action="/login" method="post" class="narrow">
        <Csrf view={view} />
        <input type="hidden" name="next" value={next} />
        <Field name="email" label="Email" type="email" autocomplete="email" value={email} errors={errors} required />
        <Field name="password" label="Password" type="password" autocomplete="current-password" errors={errors} required />
        <button type="submit" class="primary">Sign in</button>
      </form>
      <p>New here? <a href={`/register?next=${encodeURIComponent(next)}`}>Create an account</a>. Your cart comes with you.</p>
    </Layout>
  );
}

export function RegisterPage({ view, next, values, errors, formError }: { view: View; next: string; values: { email?: string; name?: string }; errors: FormErrors; formError?: string }) {
  return (
    <Layout view={view} title="Create an account">
      <h1>Create an account</h1>
      {formError && <p class="form-error" role="alert">{formError}</p>}
      <form action="/register" method="post" class="narrow">
        <Csrf view={view} />
        <input type="hidden" name="next" value={next} />
        <Field name="name" label="Name" autocomplete="name" value={values.name} errors={errors} required />
        <Field name="email" label="Email" type="email" autocomplete="email" value={values.email} errors={errors} required />
        <Field name="password" label="Password" type="password" autocomplete="new-password" errors={errors} required hint="At least 8 characters." />
        <button type="submit" class="primary">Create account</button>
      </form>
      <p>Already have one? <a href={`/login?next=${encodeURIComponent(next)}`}>Sign in</a>.</p>
    </Layout>
  );
}

export function NotificationsPage({ view, items }: { view: View; items: Array<z.infer<typeof Notification>> }) {
  return (
    <Layout view={view} title="Notices">
      <h1>Notices</h1>
      {items.length === 0 ? <p>Nothing yet.</p> : (
        <ul class="notices">
          {items.map((n) => (
            <li class={n.readAt ? 'read' : 'unread'}>
              <h2>{n.title}</h2>
              <p>{n.body}</p>
              <time dateTime={n.createdAt}>{new Date(n.createdAt).toUTCString()}</time>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

export function WishlistPage({ view, items }: { view: View; items: Array<z.infer<typeof WishlistItem>> }) {
  return (
    <Layout view={view} title="Wishlist">
      <h1>Wishlist</h1>
      {items.length === 0 ? <p>Nothing saved yet. Products you save show up here, and we tell you when one gets cheaper.</p> : (
        <ul class="wishlist">
          {items.map((item) => (
            <li>
              <a href={`/product/${encodeURIComponent(item.productId)}`}>{item.name}</a> <Price cents={item.price} view={view} />
              {!item.inStock && <span class="unavailable"> Out of stock</span>}
              <ProductButton view={view} action="/wishlist/move-to-cart" productId={item.productId} label="Move to cart" kind="secondary" disabled={!item.inStock} />
              <ProductButton view={view} action="/wishlist/remove" productId={item.productId} label="Remove" kind="link" />
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

/** Any refusal or failure, as a page a person can act on. */
export function ErrorPage({ view, status, title, message }: { view: View; status: number; title: string; message: string }) {
  return (
    <Layout view={view} title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p class="status-code">Status {status}. <a href="/">Back to the shop</a></p>
    </Layout>
  );
}
