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

type Page = { path: string; headers?: Record<string, string> };

/** The pages of the shop's read traffic, each with its weight in the mix: product pages dominate. */
export function browsePages(f: BrowseFixture): Array<{ name: string; weight: number; make: () => Page }> {
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
  return [
    { name: 'product page', weight: 45, make: () => ({ path: `/api/products/${pick(f.productIds)}` }) },
    { name: 'category list', weight: 20, make: () => ({ path: `/api/products?category=${pick(f.categoryIds)}&limit=20` }) },
    { name: 'search', weight: 15, make: () => ({ path: `/api/search?q=${encodeURIComponent(pick(f.words))}&limit=20` }) },
    { name: 'cart view', weight: 10, make: () => ({ path: '/api/cart', headers: { authorization: `Bearer ${pick(f.tokens)}` } }) },
    { name: 'recommendations', weight: 10, make: () => ({ path: `/api/products/${pick(f.productIds)}/recommendations` }) },
  ];
}

/** Requests drawing pages by weight (one page alone when `only` names it). */
export function browseMix(f: BrowseFixture, only?: string): Request[] {
  const pages = browsePages(f).filter((p) => only === undefined || p.name === only);
  const total = pages.reduce((s, p) => s + p.weight, 0);
  return [
    {
      method: 'GET',
      setupRequest: (req) => {
        let r = Math.random() * total;
        for (const page of pages) {
          r -= page.weight;
          if (r <= 0) {
            const { path, headers } = page.make();
            return { ...req, path, headers: headers ?? {} };
          }
        }
        return req;
      },
    },
  ];
}
