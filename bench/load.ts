import autocannon, { type Request } from 'autocannon';
import { percentile } from './http.ts';

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  requests: number;
}

/**
 * Drives `requests` for `seconds` with autocannon (this process is the load generator).
 * Latencies are taken from each 2xx response at microsecond resolution: autocannon's own
 * percentiles are whole milliseconds, too coarse for a sub-millisecond median and its ratios.
 */
export async function drive(url: string, seconds: number, requests?: Request[], connections = 10): Promise<LoadFigures> {
  const latencies: number[] = [];
  const run = autocannon({ url, connections, duration: seconds, requests }).on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await run;
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

export interface BrowseFixture {
  productIds: string[];
  categoryIds: string[];
  words: string[];
  tokens: string[];
}

/**
 * The shop's read traffic, weighted like a real shop: product pages dominate, then category
 * lists, search, cart views and recommendations.
 */
export function browseMix(f: BrowseFixture): Request[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
  const weights: Array<[number, () => { path: string; headers?: Record<string, string> }]> = [
    [45, () => ({ path: `/api/products/${pick(f.productIds)}` })],
    [20, () => ({ path: `/api/products?category=${pick(f.categoryIds)}&limit=20` })],
    [15, () => ({ path: `/api/search?q=${encodeURIComponent(pick(f.words))}&limit=20` })],
    [10, () => ({ path: '/api/cart', headers: { authorization: `Bearer ${pick(f.tokens)}` } })],
    [10, () => ({ path: `/api/products/${pick(f.productIds)}/recommendations` })],
  ];
  const total = weights.reduce((s, [w]) => s + w, 0);
  return [
    {
      method: 'GET',
      setupRequest: (req) => {
        let r = Math.random() * total;
        for (const [w, make] of weights) {
          r -= w;
          if (r <= 0) {
            const { path, headers } = make();
            return { ...req, path, headers: headers ?? {} };
          }
        }
        return req;
      },
    },
  ];
}
