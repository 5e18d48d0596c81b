import { z } from 'zod';

/**
 * The whole process configuration, read once from the environment.
 * Names of the variables are part of the public contract (see api.md); everything else
 * in the kernel and the modules reads configuration from here, never from process.env.
 */
const DEV_JWT_SECRET = 'cleave-development-jwt-secret-change-me';
const DEV_CARRIER_SECRET = 'cleave-development-carrier-secret';

const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: z.coerce.number().int().positive().default(60 * 60 * 12),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  CARRIER_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SMTP_URL: z.url().optional(),
  SMTP_FROM: z.string().default('Cleave Shop <shop@cleave.local>'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  /** Keeps several shops (or test runs) apart on one NATS server: prefixes subjects and the stream name. */
  NATS_NAMESPACE: z.string().regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, "_" and "-" only').default(''),
  /** Deploy flag as an environment variable: the modules this process hosts ("all" or a list). */
  CLEAVE_MODULES: z.string().default('all'),
  /** Modules to leave out of CLEAVE_MODULES (handy with "all"). */
  CLEAVE_EXCEPT: z.string().default(''),
  /** Whether this process serves the HTTP API (mounts every module's routes). */
  CLEAVE_GATEWAY: boolean.optional(),
  /** Load the demo catalog into an empty database (never in production unless asked). */
  SEED_DEMO: boolean.optional(),
  /** Shop-window read caches (search answers, product lists, recommendations); off trades speed for memory. */
  READ_CACHES: boolean.default(true),
  HTTP_BODY_LIMIT: z.string().default('100kb'),
  RPC_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  EVENT_RETRY_BASE_MS: z.coerce.number().int().min(1).default(200),
  EVENT_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** How long an event claimed by a process stays its own: after a crash, the wait before it runs elsewhere or again. */
  EVENT_LEASE_MS: z.coerce.number().int().min(100).default(10_000),
  /** log2 of scrypt's N for password hashes; 17 is OWASP's advice, tests use less to run fast. */
  SCRYPT_COST: z.coerce.number().int().min(10).max(20).default(17),
  PAYMENT_RETRY_BASE_MS: z.coerce.number().int().min(0).default(100),
});

export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  dataDir: string;
  logLevel: string;
  jwtSecret: string;
  jwtSecretIsDefault: boolean;
  jwtTtlSeconds: number;
  admin?: { email: string; password: string };
  carrierWebhookSecret: string;
  carrierSecretIsDefault: boolean;
  smtpUrl?: string;
  smtpFrom: string;
  natsUrl: string;
  natsNamespace: string;
  modules: string;
  except: string;
  gateway?: boolean;
  seedDemo: boolean;
  readCaches: boolean;
  httpBodyLimit: string;
  rpcTimeoutMs: number;
  /** leaseMs: how long a claimed event stays with the process that claimed it (after a crash, the wait before it runs again). */
  events: { maxAttempts: number; retryBaseMs: number; pollMs: number; leaseMs: number };
  paymentRetryBaseMs: number;
  scryptCost: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and checks the environment; the error names every bad variable and why. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(cleaned[String(i.path[0])])})`);
    throw new ConfigError(`Invalid configuration in environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const missing = production
    ? (['JWT_SECRET', 'CARRIER_WEBHOOK_SECRET'] as const).filter((k) => !e[k])
    : [];
  if (missing.length) {
    throw new ConfigError(`NODE_ENV=production requires ${missing.join(' and ')} to be set (no development defaults in production).`);
  }
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('ADMIN_EMAIL and ADMIN_PASSWORD must be set together.');
  }
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    jwtSecretIsDefault: !e.JWT_SECRET,
    jwtTtlSeconds: e.JWT_TTL_SECONDS,
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD } : undefined,
    carrierWebhookSecret: e.CARRIER_WEBHOOK_SECRET ?? DEV_CARRIER_SECRET,
    carrierSecretIsDefault: !e.CARRIER_WEBHOOK_SECRET,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    natsUrl: e.NATS_URL,
    natsNamespace: e.NATS_NAMESPACE,
    modules: e.CLEAVE_MODULES,
    except: e.CLEAVE_EXCEPT,
    gateway: e.CLEAVE_GATEWAY,
    seedDemo: e.SEED_DEMO ?? !production,
    readCaches: e.READ_CACHES,
    httpBodyLimit: e.HTTP_BODY_LIMIT,
    rpcTimeoutMs: e.RPC_TIMEOUT_MS,
    events: { maxAttempts: e.EVENT_MAX_ATTEMPTS, retryBaseMs: e.EVENT_RETRY_BASE_MS, pollMs: e.EVENT_POLL_MS, leaseMs: e.EVENT_LEASE_MS },
    paymentRetryBaseMs: e.PAYMENT_RETRY_BASE_MS,
    scryptCost: e.SCRYPT_COST,
  };
}
