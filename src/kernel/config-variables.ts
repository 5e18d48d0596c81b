import { z } from 'zod';

/**
 * Every environment variable Cleave reads, with its check, its default and one line for people.
 * The one source of truth: `loadConfig` parses with these schemas, `--help` and README's
 * configuration table are generated from the same list (`npm run docs:config`; a test fails when
 * README drifts). Names are part of the public contract (api.md).
 */
export interface Variable {
  schema: z.ZodType;
  /** One line for `--help` and README. */
  doc: string;
  /** Shown in help as the default when the schema's own default is not telling (or there is none). */
  shownDefault?: string;
  /** Never printed back: not in error messages, not in logs. */
  secret?: boolean;
}

const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const milliseconds = (min: number) => z.coerce.number().int().min(min);

export const VARIABLES = {
  NODE_ENV: { schema: z.enum(['development', 'test', 'production']).default('development'), doc: '`production` requires JWT_SECRET, CARRIER_WEBHOOK_SECRET and PAYMENT_GATEWAY, and seeds no demo data' },
  PORT: { schema: z.coerce.number().int().min(0).max(65535).default(3000), doc: 'HTTP port (health, readiness and metrics on every process; the API on the gateway)' },
  DATA_DIR: { schema: z.string().min(1).default('./data'), doc: 'where each module keeps its SQLite file, and generated secrets in `secrets/`' },
  DATABASE_URL: {
    schema: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'a PostgreSQL URL: postgres://user:password@host:5432/database').optional(),
    doc: 'puts every module this process hosts on PostgreSQL, each in a schema named after it; `DATABASE_URL_<MODULE>` (e.g. `DATABASE_URL_ORDER_PROCESSING`) puts one module on its own server',
    shownDefault: 'unset: SQLite files in DATA_DIR',
    secret: true,
  },
  DATABASE_POOL_SIZE: { schema: z.coerce.number().int().min(1).max(100).default(4), doc: "connections in each module's PostgreSQL pool (mind the server's max_connections across processes)" },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), doc: 'pino log level' },
  LOG_FORMAT: { schema: z.enum(['json', 'pretty']).optional(), doc: '`json` (one object per line) or `pretty` (readable lines)', shownDefault: 'pretty on a terminal outside production, else json' },
  ACCESS_LOG: { schema: boolean.default(true), doc: 'one info line per HTTP request: method, path, status, ms, request id' },
  JWT_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    doc: 'signs access tokens (32+ characters); required in production',
    shownDefault: 'random, kept in DATA_DIR/secrets/ (0600)',
    secret: true,
  },
  JWT_TTL_SECONDS: { schema: z.coerce.number().int().positive().default(60 * 60 * 12), doc: 'lifetime of an access token' },
  ADMIN_EMAIL: { schema: z.email().optional(), doc: 'with ADMIN_PASSWORD: the admin account created at start if absent' },
  ADMIN_PASSWORD: { schema: z.string().min(8, 'must be at least 8 characters').optional(), doc: "the admin's password (8+ characters)", secret: true },
  CARRIER_WEBHOOK_SECRET: {
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    doc: 'HMAC key of the carrier webhook (16+ characters); required in production',
    shownDefault: 'random, kept in DATA_DIR/secrets/ (0600)',
    secret: true,
  },
  PAYMENT_GATEWAY: {
    schema: z.enum(['test']).optional(),
    doc: '`test`: the built-in test gateway (test cards only); production refuses to start unless it is chosen explicitly',
    shownDefault: 'test, outside production',
  },
  SMTP_URL: { schema: z.url().optional(), doc: 'send notices by email too (smtp://user:pass@host:port)', shownDefault: 'unset: in-app only', secret: true },
  SMTP_FROM: { schema: z.string().default('Cleave Shop <shop@cleave.local>'), doc: 'sender of notification emails' },
  SHOP_URL: {
    // No query or fragment: paths are appended to it.
    schema: z.url({ protocol: /^https?$/, error: 'an absolute http(s) URL, e.g. https://shop.example.com' }).regex(/^[^?#]*$/, 'an absolute http(s) URL, e.g. https://shop.example.com').optional(),
    doc: "the shop's public address, which links in emails start with (an order's: `<SHOP_URL>/order/<id>`)",
    shownDefault: 'http://localhost:PORT',
  },
  NATS_URL: { schema: z.string().default('nats://127.0.0.1:4222'), doc: 'the broker of split deployments; for a cluster, a comma list of every server (the client fails over between them)' },
  NATS_STREAM_REPLICAS: {
    schema: z.coerce.number().int().min(1).max(5).default(1),
    doc: 'copies of the event stream a JetStream cluster keeps (3 on a 3-server cluster, to survive losing one); an existing stream with fewer is raised at start, never lowered',
  },
  NATS_NAMESPACE: { schema: z.string().regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, "_" and "-" only').default(''), doc: 'keeps several shops apart on one NATS server (prefixes subjects and the stream)' },
  CLEAVE_MODULES: { schema: z.string().default('all'), doc: 'deploy flag --modules: modules this process hosts (`all`, `none` or a comma list)' },
  CLEAVE_EXCEPT: { schema: z.string().default(''), doc: 'deploy flag --except: modules to leave out of CLEAVE_MODULES' },
  CLEAVE_GATEWAY: { schema: boolean.optional(), doc: 'deploy flag --gateway: serve the HTTP API', shownDefault: 'true when hosting every module' },
  SEED_DEMO: {
    schema: z
      .enum(['true', 'false', '1', '0', 'boutique'], { error: 'true or 1 (the generated demo catalog), false or 0 (none), or boutique (Online Boutique\'s nine products)' })
      .transform((v) => (v === 'boutique' ? 'boutique' : v === 'true' || v === '1' ? 'generated' : false))
      .optional(),
    doc: "what an empty shop is stocked with: `true`, 500 generated demo products; `boutique`, Google's Online Boutique's nine products, with their ids (for its load generator); `false`, nothing",
    shownDefault: 'true outside production',
  },
  READ_CACHES: { schema: boolean.default(true), doc: 'shop-window read caches (search, product lists, recommendations); off trades speed for memory' },
  HTTP_BODY_LIMIT: { schema: z.string().regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb or 1mb').default('100kb'), doc: 'largest request body accepted (larger: 413)' },
  CORS_ORIGINS: { schema: z.string().optional(), doc: 'browser origins allowed to call the API (comma list, e.g. https://shop.example)', shownDefault: 'unset: CORS closed' },
  METRICS_TOKEN: { schema: z.string().min(16, 'must be at least 16 characters').optional(), doc: 'if set, /metrics needs `Authorization: Bearer <token>`', shownDefault: 'unset: /metrics open', secret: true },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: z.url().optional(),
    doc: "send traces as OTLP over HTTP to this collector (`<url>/v1/traces`, e.g. Jaeger's http://localhost:4318); the SDK's other `OTEL_*` variables apply",
    shownDefault: 'unset: tracing off',
  },
  OTEL_SERVICE_NAME: { schema: z.string().min(1).optional(), doc: "the `service.name` of this process's spans", shownDefault: 'cleave, or cleave-<what the process hosts>' },
  RPC_TIMEOUT_MS: { schema: z.coerce.number().int().positive().default(5000), doc: 'how long a call to a module in another process may take' },
  EVENT_MAX_ATTEMPTS: { schema: z.coerce.number().int().min(1).default(8), doc: 'runs of an event handler before its event becomes a dead letter' },
  EVENT_RETRY_BASE_MS: { schema: milliseconds(1).default(200), doc: 'first retry delay of a failed handler (doubles each attempt)' },
  EVENT_POLL_MS: { schema: milliseconds(10).default(1000), doc: 'how often outboxes and inboxes look for work they were not woken for' },
  EVENT_LEASE_MS: { schema: milliseconds(100).default(10_000), doc: 'how long a claimed event waits before it runs again after its process crashed' },
  EVENT_RETENTION_HOURS: {
    schema: z.coerce.number().int().min(1).default(168),
    doc: 'how long published events stay in outboxes and handled ones in inboxes before they are deleted (dead letters stay); an inbox row is what makes a redelivered event harmless, so keep it longer than any redelivery or replay',
  },
  SCRYPT_COST: { schema: z.coerce.number().int().min(10).max(20).default(17), doc: "log2 of scrypt's N for password hashes (17 is OWASP's advice)" },
  PAYMENT_RETRY_BASE_MS: { schema: milliseconds(0).default(100), doc: 'first retry delay of a transient card failure' },
} satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

/** The default as people read it: the shown one, else the schema's own, else "unset". */
export function defaultOf(v: Variable): string {
  if (v.shownDefault) return v.shownDefault;
  const parsed = v.schema.safeParse(undefined);
  if (parsed.success && parsed.data !== undefined) return parsed.data === '' ? '(empty)' : String(parsed.data);
  return 'unset';
}

/** The variable list of `--help`. */
export function variablesHelp(): string {
  const width = Math.max(...Object.keys(VARIABLES).map((n) => n.length)) + 2;
  return Object.entries(VARIABLES as Record<string, Variable>)
    .map(([name, v]) => `  ${name.padEnd(width)}${v.doc.replaceAll('`', '')} [default: ${defaultOf(v)}]`)
    .join('\n');
}

/** README's configuration table (markdown). */
export function variablesTable(): string {
  const cell = (v: Variable) => (v.shownDefault || defaultOf(v) === 'unset' ? defaultOf(v) : `\`${defaultOf(v)}\``);
  const rows = Object.entries(VARIABLES as Record<string, Variable>).map(([name, v]) => `| \`${name}\` | ${cell(v)} | ${v.doc} |`);
  return ['| variable | default | what it does |', '|---|---|---|', ...rows].join('\n');
}
