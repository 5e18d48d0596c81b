import { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { VARIABLES, type Variable } from './config-variables.ts';
import { prepareDataDir } from './data-dir.ts';
import { storedSecret } from './stored-secrets.ts';

/**
 * The whole process configuration, read once from the environment (the variables and their checks
 * are listed in config-variables.ts). Everything in the kernel and the modules reads configuration
 * from here, never from process.env.
 */
export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  dataDir: string;
  logLevel: string;
  /** How log lines are written; undefined: readable on a terminal outside production, JSON otherwise. */
  logFormat?: 'json' | 'pretty';
  accessLog: boolean;
  jwtSecret: string;
  /** Where a secret that was not in the environment is kept (generated on first start), for the start-up log. */
  storedSecrets: { jwt?: string; carrierWebhook?: string };
  jwtTtlSeconds: number;
  admin?: { email: string; password: string };
  carrierWebhookSecret: string;
  /** The card processor; only the built-in test gateway exists so far. */
  paymentGateway: 'test';
  /** True when production runs the test gateway because PAYMENT_GATEWAY=test said so (warned loudly at start). */
  testGatewayInProduction: boolean;
  smtpUrl?: string;
  smtpFrom: string;
  /** The shop's public address, without a trailing slash: links in emails start with it. */
  shopUrl: string;
  natsUrl: string;
  /** Replicas of the event stream on a JetStream cluster (raised at start, never lowered). */
  natsStreamReplicas: number;
  natsNamespace: string;
  modules: string;
  except: string;
  gateway?: boolean;
  /** Which demo catalog an empty shop is seeded with, if any. */
  seedDemo: false | 'generated' | 'boutique';
  readCaches: boolean;
  /**
   * PostgreSQL for the modules this process hosts: `url` for all of them, `perModule` (from
   * DATABASE_URL_<MODULE>, keyed by the variable's suffix) for one each. Neither: SQLite in dataDir.
   */
  database: { url?: string; perModule: Record<string, string>; poolSize: number };
  httpBodyLimit: string;
  /** Browser origins allowed by CORS; empty: CORS closed. */
  corsOrigins: string[];
  metricsToken?: string;
  /** OpenTelemetry traces: where to send them (unset: tracing off), and this process's service name if not the default. */
  tracing: { otlpEndpoint?: string; serviceName?: string };
  rpcTimeoutMs: number;
  /** leaseMs: how long a claimed event stays with the process that claimed it (after a crash, the wait before it runs again). */
  events: { maxAttempts: number; retryBaseMs: number; pollMs: number; leaseMs: number; retentionMs: number };
  paymentRetryBaseMs: number;
  scryptCost: number;
}

export { ConfigError };

const EnvSchema = z.object(Object.fromEntries(Object.entries(VARIABLES).map(([name, v]) => [name, v.schema])) as {
  [K in keyof typeof VARIABLES]: (typeof VARIABLES)[K]['schema'];
});

/**
 * Reads and checks the environment; the error names every bad variable and why (never the value
 * of a secret). Outside production, a secret that is not set is generated once and kept in
 * DATA_DIR/secrets/ (mode 0600), so no published constant ever signs anything.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([name, v]) => v !== undefined && v !== '' && name in VARIABLES));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      const secret = (VARIABLES as Record<string, Variable>)[name]?.secret;
      return `${name}: ${i.message}${secret ? '' : ` (got ${JSON.stringify(cleaned[name])})`}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const missing = production ? (['JWT_SECRET', 'CARRIER_WEBHOOK_SECRET'] as const).filter((k) => !e[k]) : [];
  if (missing.length) {
    throw new ConfigError(`NODE_ENV=production requires ${missing.join(' and ')} to be set (no generated secrets in production).`);
  }
  if (production && !e.PAYMENT_GATEWAY) {
    throw new ConfigError(
      'NODE_ENV=production: no real card processor is configured, and the built-in test gateway only takes test cards. ' +
        'Set PAYMENT_GATEWAY=test to run with it anyway (README: "Payments").',
    );
  }
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('ADMIN_EMAIL and ADMIN_PASSWORD must be set together.');
  }
  const corsOrigins = parseOrigins(e.CORS_ORIGINS);
  prepareDataDir(e.DATA_DIR);
  const jwt = e.JWT_SECRET ? undefined : storedSecret(e.DATA_DIR, 'jwt-secret');
  const carrier = e.CARRIER_WEBHOOK_SECRET ? undefined : storedSecret(e.DATA_DIR, 'carrier-webhook-secret');
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    accessLog: e.ACCESS_LOG,
    jwtSecret: e.JWT_SECRET ?? jwt!.value,
    storedSecrets: { jwt: jwt?.file, carrierWebhook: carrier?.file },
    jwtTtlSeconds: e.JWT_TTL_SECONDS,
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD } : undefined,
    carrierWebhookSecret: e.CARRIER_WEBHOOK_SECRET ?? carrier!.value,
    paymentGateway: e.PAYMENT_GATEWAY ?? 'test',
    testGatewayInProduction: production,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    shopUrl: (e.SHOP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    natsUrl: e.NATS_URL,
    natsStreamReplicas: e.NATS_STREAM_REPLICAS,
    natsNamespace: e.NATS_NAMESPACE,
    modules: e.CLEAVE_MODULES,
    except: e.CLEAVE_EXCEPT,
    gateway: e.CLEAVE_GATEWAY,
    seedDemo: e.SEED_DEMO ?? (production ? false : 'generated'),
    readCaches: e.READ_CACHES,
    database: { url: e.DATABASE_URL, perModule: perModuleDatabases(env), poolSize: e.DATABASE_POOL_SIZE },
    httpBodyLimit: e.HTTP_BODY_LIMIT,
    corsOrigins,
    metricsToken: e.METRICS_TOKEN,
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    rpcTimeoutMs: e.RPC_TIMEOUT_MS,
    events: { maxAttempts: e.EVENT_MAX_ATTEMPTS, retryBaseMs: e.EVENT_RETRY_BASE_MS, pollMs: e.EVENT_POLL_MS, leaseMs: e.EVENT_LEASE_MS, retentionMs: e.EVENT_RETENTION_HOURS * 3_600_000 },
    paymentRetryBaseMs: e.PAYMENT_RETRY_BASE_MS,
    scryptCost: e.SCRYPT_COST,
  };
}

const MODULE_DATABASE = /^DATABASE_URL_([A-Z0-9_]+)$/;

/**
 * DATABASE_URL_<MODULE> variables, keyed by their suffix (`ORDER_PROCESSING`). The runtime checks
 * each suffix names a module (the kernel does not know the modules' names here).
 */
function perModuleDatabases(env: Record<string, string | undefined>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const suffix = MODULE_DATABASE.exec(name)?.[1];
    if (!suffix || value === undefined || value === '') continue;
    if (!VARIABLES.DATABASE_URL.schema.safeParse(value).success) {
      throw new ConfigError(`${name}: a PostgreSQL URL: postgres://user:password@host:5432/database`);
    }
    found[suffix] = value;
  }
  return found;
}

/** CORS_ORIGINS: exact origins (scheme://host[:port]), so a typo cannot open the API to every site. */
function parseOrigins(list: string | undefined): string[] {
  if (!list) return [];
  const origins = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin; write scheme://host[:port] with no path, e.g. https://shop.example`);
    }
  }
  return origins;
}
