/**
 * Rebuilds the search index of a running shop from the catalog's export and current stock.
 *
 *   npm run search:rebuild                              # the shop on http://127.0.0.1:$PORT
 *   npm run search:rebuild -- --url https://shop.example
 *
 * It signs in as the admin named by ADMIN_EMAIL/ADMIN_PASSWORD and calls
 * POST /api/admin/search/rebuild. It goes through the running shop rather than opening the
 * databases itself: a second runtime on the same files would run its own outbox relays and event
 * consumers beside the shop's, and could not reach modules hosted in other processes.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/kernel/config.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' } }, strict: true });
  const config = loadConfig();
  if (!config.admin) throw new Error('Set ADMIN_EMAIL and ADMIN_PASSWORD to the admin account of the shop to rebuild.');
  const base = (values.url ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');

  const login = await post(`${base}/api/auth/login`, { email: config.admin.email, password: config.admin.password });
  const { token } = (await login.json()) as { token: string };
  const rebuilt = await post(`${base}/api/admin/search/rebuild`, undefined, token);
  const { indexed } = (await rebuilt.json()) as { indexed: number };
  console.log(`search index rebuilt: ${indexed} products can be found`);
}

async function post(url: string, body?: unknown, token?: string): Promise<Response> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${new URL(url).pathname} answered ${res.status}: ${await res.text()}`);
  return res;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
