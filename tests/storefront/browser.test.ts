import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';

/**
 * The storefront in a real browser (Debian's Chromium): what a person does, by the labels and
 * buttons they see, with the page's own script. Screenshots of the main pages are kept in
 * test-results/screenshots/.
 */
let shop: TestShop;
let browser: Browser;

beforeAll(async () => {
  [shop, browser] = await Promise.all([
    startTestShop({ env: { SEED_DEMO: 'boutique' } }).then(async (s) => {
      await s.settled();
      return s;
    }),
    launchChromium(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await shop?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ baseURL: shop.url, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

describe('storefront in a browser', () => {
  it('a guest browses, searches, adds to cart, changes currency, checks out and sees the order paid', async () => {
    const page = await newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('All products');
    await shot(page, 'home');

    await page.getByLabel('Search products').fill('mug');
    await page.getByLabel('Search products').press('Enter');
    await page.waitForURL(/\/search\?q=mug/);
    await shot(page, 'search');
    await page.getByRole('link', { name: /Mug/ }).first().click();
    await page.waitForURL(/\/product\/6E92ZMYYFZ/);
    await shot(page, 'product');

    await page.getByLabel('Quantity').selectOption('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Added to your cart');

    // The page's script sends the currency form as soon as a currency is picked.
    await page.getByLabel('Display currency').selectOption('EUR');
    await page.locator('.subtotal', { hasText: '€' }).waitFor();
    await expect(page.locator('.charge-note').textContent()).resolves.toContain('You will be charged in US dollars');

    await page.getByLabel('Email').fill('guest.browser@example.org');
    await page.getByLabel('Full name').fill('Gina Guest');
    await page.getByLabel('Street address').fill('12 Rue de la Paix');
    await page.getByLabel('ZIP or postal code').fill('75002');
    await page.getByLabel('City').fill('Paris');
    await page.getByLabel('Country', { exact: true }).selectOption('FR');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiry month').fill('12');
    await page.getByLabel('Expiry year').fill(String(new Date().getFullYear() + 2));
    await page.getByLabel('CVV').fill('123');
    await shot(page, 'cart');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/order\//);
    await expect(page.locator('.confirmation').textContent()).resolves.toContain('Your order is placed');
    // The confirmation reloads itself while the order is processed.
    await page.locator('[data-status="paid"]').waitFor({ timeout: 20_000 });
    await shot(page, 'order-paid');
  }, 60_000);

  it('a customer signs in and the guest cart comes along', async () => {
    const page = await newPage();
    const email = `browser-${Date.now()}@example.org`;
    await page.goto('/register');
    await page.getByLabel('Name').fill('Rita');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct-horse-1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/');

    await page.goto('/product/LS4PSXUNUM');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart/);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct-horse-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Your cart came with you');
    await page.goto('/cart');
    await expect(page.locator('.cart-lines').textContent()).resolves.toContain('Salt & Pepper Shakers');
    await shot(page, 'cart-signed-in');
  }, 60_000);

  it('refuses a form whose CSRF token was taken out, and the cart stays as it was', async () => {
    const page = await newPage();
    await page.goto('/product/OLJCESPC7Z');
    await page.locator('form.add-to-cart input[name="_csrf"]').evaluate((input) => input.remove());
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForLoadState('load');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not allowed');
    await shot(page, 'csrf-refused');
    await page.goto('/cart');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your cart');
    await expect(page.locator('main').textContent()).resolves.toContain('Your cart is empty');
  }, 30_000);

  it('gives every picture a text, every field a label, and starts the tab order at "Skip to content"', async () => {
    const page = await newPage();
    await page.goto('/product/OLJCESPC7Z');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart/);
    const problems = await page.evaluate(() => {
      const found: string[] = [];
      for (const img of Array.from(document.querySelectorAll('img'))) if (!img.getAttribute('alt')) found.push(`img ${img.src} has no alt`);
      for (const field of Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))) {
        const el = field as HTMLInputElement;
        if (!el.labels?.length && !el.getAttribute('aria-label')) found.push(`${el.tagName} ${el.name} has no label`);
      }
      return found;
    });
    expect(problems).toEqual([]);
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
  }, 30_000);
});
