import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../src/kernel/uses.ts';
import { allModules } from '../../src/app/modules.ts';
import { ShopClient } from '../support/client.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';

interface Operation {
  tags: string[];
  operationId: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
  'x-access': string;
}
type Document = { paths: Record<string, Record<string, Operation>>; tags: Array<{ name: string }>; components: { schemas: Record<string, unknown> } };

let shop: TestShop;
let doc: Document;

beforeAll(async () => {
  shop = await startTestShop();
  doc = (await new ShopClient(shop.url).get('/openapi.json')).body as Document;
});
afterAll(() => shop?.stop());

const operations = () => Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method, op })));
const operation = (method: string, path: string) => doc.paths[path]?.[method];

describe('the API describes itself (/openapi.json)', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(doc) as never);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route of every module, tagged with its module, with a unique operation id', () => {
    const registry = routesOf(allModules, () => ({}) as never);
    for (const route of registry) {
      const op = operation(route.method, route.path.replace(/:(\w+)/g, '{$1}'));
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op!.tags, `${route.method} ${route.path}`).toEqual([route.tag]);
    }
    expect(doc.tags.map((t) => t.name)).toEqual(expect.arrayContaining(['user', 'catalog', 'cart', 'order-taking', 'payment', 'operations']));
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every operation a response schema (or says it answers nothing) and problem+json errors', () => {
    for (const { path, method, op } of operations()) {
      const [status, success] = Object.entries(op.responses).find(([code]) => /^2/.test(code))!;
      if (status === '204') expect(success.content, `${method} ${path}`).toBeUndefined();
      else expect(success.content?.['application/json']?.schema, `${method} ${path} ${status}`).toEqual(expect.objectContaining({ type: expect.any(String) }));
      expect(op.responses['400'].content?.['application/problem+json']?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
      expect(op.responses.default.content?.['application/problem+json']).toBeDefined();
    }
    expect(doc.components.schemas.Problem).toMatchObject({ required: ['type', 'title', 'status', 'detail'] });
    // The order as the contract answers it, status enum included.
    const order = operation('get', '/api/orders/{id}')!.responses['200'].content!['application/json'].schema as { properties: Record<string, { enum?: string[] }> };
    expect(order.properties.status.enum).toEqual(expect.arrayContaining(['placed', 'paid', 'cancelled']));
  });

  it('names the bearer scheme on every protected operation, and the headers a request must carry', () => {
    for (const { path, method, op } of operations()) {
      if (op['x-access'] === 'public') expect(op.security, `${method} ${path}`).toBeUndefined();
      else expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
    }
    expect(operation('post', '/api/orders')!.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(operation('post', '/api/logistics/carrier-events')!.parameters).toContainEqual(expect.objectContaining({ name: 'X-Carrier-Signature', in: 'header', required: true }));
    expect(operation('get', '/api/admin/orders')!.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['status', 'userId', 'from', 'to', 'limit', 'offset']));
  });
});
