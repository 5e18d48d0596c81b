import type { Request } from 'autocannon';
import { BOUTIQUE_PRODUCTS, runBoutiqueLoad } from '../tools/boutique-load.ts';
import { Visitor } from '../tools/storefront-visitor.ts';
import { tempDataDir } from '../tools/temp-dirs.ts';
import { launchTopology } from '../tools/topology/launch.ts';
import { BUILD_ENTRY } from '../tools/topology/spec.ts';
import { percentile } from './http.ts';
import { drive, type LoadFigures } from './load.ts';

/** The storefront's figures: its read pages under autocannon, and Online Boutique's whole visitor mix. */
export interface StorefrontFigures {
  /** GET /, /product/<id> and /cart in the locustfile's weights (1, 10, 3), each with a visitor's session cookie. */
  pages: LoadFigures;
  /** tools/boutique-load.ts: the locustfile's tasks with `visitors` cookie sessions at once, no pause between tasks. */
  boutique: { visitors: number; requestsPerSecond: number; checkoutsPerSecond: number; p50Ms: number; p99Ms: number; errors: number; requests: number };
}

const SESSIONS = 32;
const VISITORS = 32;

/** Starts the monolith (compiled) with the Online Boutique catalog on a data dir of its own and measures its pages. */
export async function measureStorefront(env: Record<string, string | undefined>, seconds: number, warmupSeconds: number, log: (m: string) => void): Promise<StorefrontFigures> {
  log('storefront: starting the monolith with SEED_DEMO=boutique');
  const topology = await launchTopology('monolith', { env: { ...env, DATA_DIR: tempDataDir('cleave-bench-store-'), SEED_DEMO: 'boutique' }, basePort: 'free', output: () => {}, entry: BUILD_ENTRY });
  try {
    const url = topology.gatewayUrl;
    const cookies = await Promise.all(Array.from({ length: SESSIONS }, async (_, i) => {
      const visitor = new Visitor(url);
      await visitor.get('/');
      await visitor.post('/cart', { product_id: BOUTIQUE_PRODUCTS[i % BOUTIQUE_PRODUCTS.length], quantity: 1 });
      return [...visitor.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }));
    log(`storefront: page mix, ${warmupSeconds} s warm-up then ${seconds} s measured`);
    await drive(url, warmupSeconds, pageMix(cookies));
    const pages = await drive(url, seconds, pageMix(cookies));

    log(`storefront: Online Boutique's visitor mix, ${VISITORS} visitors for ${seconds} s`);
    const latencies: number[] = [];
    const run = await runBoutiqueLoad({ base: url, visitors: VISITORS, durationMs: seconds * 1000, onAnswer: (_request, _answer, ms) => latencies.push(ms) });
    const perSecond = (n: number) => n / (run.elapsedMs / 1000);
    return {
      pages,
      boutique: {
        visitors: VISITORS,
        requestsPerSecond: perSecond(run.requests),
        checkoutsPerSecond: perSecond(run.orderIds.length),
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        errors: run.errors.length,
        requests: run.requests,
      },
    };
  } finally {
    await topology.stop();
  }
}

/** The locustfile's read tasks, by weight: home 1, product page 10, cart 3. */
function pageMix(cookies: string[]): Request[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
  const pages: Array<[number, () => string]> = [[1, () => '/'], [10, () => `/product/${pick(BOUTIQUE_PRODUCTS)}`], [3, () => '/cart']];
  const total = pages.reduce((n, [w]) => n + w, 0);
  return [{
    method: 'GET',
    setupRequest: (req) => {
      let r = Math.random() * total;
      const [, path] = pages.find(([w]) => (r -= w) < 0) ?? pages[1];
      return { ...req, path: path(), headers: { accept: 'text/html', cookie: pick(cookies) } };
    },
  }];
}
