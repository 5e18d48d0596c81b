import { z } from 'zod';
import type { RouteSpec } from './routes.ts';

/** Every error answer: an RFC 9457 problem document (problem.ts). */
const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request id: the log line with this reqId holds the cause of a 500' },
    errors: {
      type: 'array',
      description: 'What was wrong with the input (always on a 400)',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and from
 * the contract outputs the routes answer with: one tag per module (how /docs groups operations),
 * path, query and header parameters, the bearer scheme on every protected operation, and errors
 * as problem+json.
 */
export function buildOpenApi(routes: RouteSpec[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...[...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...queryParameters(route.query),
      ...(route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: h.required, description: h.description, schema: { type: 'string' } })),
    ];
    // As the router answers: the declared status, else 200 with a body, 204 without one.
    const status = String(route.status ?? (route.response ? 200 : 204));
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.summary,
      operationId: operationId(route),
      tags: [route.tag ?? 'shop'],
      ...(route.access !== 'public' ? { security: [{ bearer: [] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } } : {}),
      responses: {
        [status]: route.response && status !== '204'
          ? { description: 'Success', content: { 'application/json': { schema: toSchema(route.response, 'output') } } }
          : { description: 'Success, nothing to say' },
        '400': problem('The request broke a rule: `errors` names each field'),
        ...(route.access !== 'public' ? { '401': problem('No token, or one that no longer stands'), ...(route.access === 'admin' ? { '403': problem('Admins only') } : {}) } : {}),
        default: problem('Any other failure (404, 409, 422, 429, 503, ...): the detail says what to do'),
      },
      'x-access': route.access,
    };
  }
  const tags = [...new Set(routes.map((r) => r.tag ?? 'shop'))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: { title: 'Cleave shop API', version: '0.1.0', description: 'Every operation of the shop, grouped by the module that answers it. Errors are problem+json.' },
    tags,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: PROBLEM },
    },
    paths,
  };
}

/** `get /api/orders/:id/cancel` → `getApiOrdersIdCancel`: unique per route, stable across builds. */
function operationId(route: RouteSpec): string {
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function toSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
    // Each schema is inlined in the document, which states its own dialect once.
    delete json.$schema;
    return json;
  } catch {
    return {};
  }
}

function queryParameters(schema: z.ZodType | undefined): unknown[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: s }));
}
