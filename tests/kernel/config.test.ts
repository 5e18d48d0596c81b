import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/kernel/config.ts';
import { VARIABLES, variablesTable } from '../../src/kernel/config-variables.ts';
import { tempDataDir } from '../../tools/temp-dirs.ts';

/** The one config reader: bad environment fails at start, naming the variable and why, never a secret's value. */
const SECRET = 'a-production-jwt-secret-of-32-chars-or-more';
const CARRIER = 'a-carrier-webhook-secret';
const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: SECRET, CARRIER_WEBHOOK_SECRET: CARRIER, PAYMENT_GATEWAY: 'test' };

/** An environment with its own data directory, so generated secrets never land in the working tree. */
const env = (vars: Record<string, string> = {}) => ({ DATA_DIR: tempDataDir('cleave-config-'), ...vars });

function failure(vars: Record<string, string>): ConfigError {
  try {
    loadConfig(env(vars));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(vars)}`);
}

/** Runs `npm start`'s entry with this environment; what it printed and how it ended. */
function startProcess(vars: Record<string, string>, args: string[] = []) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: { PATH: process.env.PATH, ...vars },
    encoding: 'utf8',
    // A start through tsx takes seconds, more on a loaded machine: the limit only stops a hang.
    timeout: 90_000,
  });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('config', () => {
  it('starts with development defaults from an empty environment', () => {
    expect(loadConfig(env())).toMatchObject({ nodeEnv: 'development', port: 3000, admin: undefined, corsOrigins: [], paymentGateway: 'test' });
  });

  it('names the bad variable and the value it got: PORT=abc', () => {
    const err = failure({ PORT: 'abc' });
    expect(err.message).toContain('PORT');
    expect(err.message).toContain('"abc"');
  });

  it('names every bad variable at once, not only the first', () => {
    const err = failure({ PORT: '70000', LOG_LEVEL: 'loud', EVENT_MAX_ATTEMPTS: '0', EVENT_LEASE_MS: '5' });
    for (const name of ['PORT', 'LOG_LEVEL', 'EVENT_MAX_ATTEMPTS', 'EVENT_LEASE_MS']) expect(err.message).toContain(name);
  });

  it('never prints the value of a secret it refuses', () => {
    const values = { JWT_SECRET: 'my-real-production-secret-31chr', ADMIN_PASSWORD: 'short7!', CARRIER_WEBHOOK_SECRET: 'carrier-secret1', METRICS_TOKEN: 'metrics-short', SMTP_URL: 'not a url :pw' };
    const err = failure({ ...values, ADMIN_EMAIL: 'admin@example.test' });
    for (const [name, value] of Object.entries(values)) {
      expect(err.message).toContain(name);
      expect(err.message).not.toContain(value);
    }
  });

  it('refuses production without JWT_SECRET, rather than signing tokens with a secret it made up', () => {
    const { JWT_SECRET: _, ...rest } = PRODUCTION;
    expect(failure(rest).message).toContain('JWT_SECRET');
  });

  it('refuses a JWT_SECRET shorter than 32 characters', () => {
    expect(failure({ JWT_SECRET: 'short' }).message).toContain('JWT_SECRET');
  });

  it('refuses production with the test gateway unless PAYMENT_GATEWAY=test chooses it', () => {
    const { PAYMENT_GATEWAY: _, ...rest } = PRODUCTION;
    expect(failure(rest).message).toMatch(/PAYMENT_GATEWAY=test/);
    expect(loadConfig(env(PRODUCTION))).toMatchObject({ paymentGateway: 'test', testGatewayInProduction: true });
    expect(loadConfig(env({ PAYMENT_GATEWAY: 'test' }))).toMatchObject({ testGatewayInProduction: false });
  });

  it('starts in production when the secrets are set, and stores none of its own', () => {
    const config = loadConfig(env(PRODUCTION));
    expect(config).toMatchObject({ nodeEnv: 'production', jwtSecret: SECRET, carrierWebhookSecret: CARRIER, seedDemo: false, storedSecrets: {} });
  });

  it('refuses ADMIN_EMAIL without ADMIN_PASSWORD, and the other way round', () => {
    expect(failure({ ADMIN_EMAIL: 'admin@example.test' }).message).toMatch(/ADMIN_EMAIL.*ADMIN_PASSWORD/);
    expect(failure({ ADMIN_PASSWORD: 'long-enough-password' }).message).toMatch(/ADMIN_EMAIL.*ADMIN_PASSWORD/);
  });

  it('takes NATS_STREAM_REPLICAS from 1 to 5 (default 1) and refuses anything else', () => {
    expect(loadConfig(env()).natsStreamReplicas).toBe(1);
    expect(loadConfig(env({ NATS_STREAM_REPLICAS: '3' })).natsStreamReplicas).toBe(3);
    for (const bad of ['0', '6', '2.5', 'three']) expect(failure({ NATS_STREAM_REPLICAS: bad }).message).toContain(`NATS_STREAM_REPLICAS`);
  });

  it('takes SEED_DEMO as true/1 (generated), false/0 (none) or boutique, and names the choices for anything else', () => {
    expect(loadConfig(env()).seedDemo).toBe('generated');
    expect(loadConfig(env({ SEED_DEMO: '1' })).seedDemo).toBe('generated');
    expect(loadConfig(env({ SEED_DEMO: '0' })).seedDemo).toBe(false);
    expect(loadConfig(env({ SEED_DEMO: 'boutique' })).seedDemo).toBe('boutique');
    expect(failure({ SEED_DEMO: 'online-boutique' }).message).toBe(
      'Invalid configuration: SEED_DEMO: true or 1 (the generated demo catalog), false or 0 (none), or boutique (Online Boutique\'s nine products) (got "online-boutique")',
    );
  });

  it('takes SHOP_URL as an absolute http(s) URL without its trailing slash (default: localhost at PORT), and refuses anything else', () => {
    expect(loadConfig(env({ PORT: '8080' })).shopUrl).toBe('http://localhost:8080');
    expect(loadConfig(env({ SHOP_URL: 'https://shop.example.com/' })).shopUrl).toBe('https://shop.example.com');
    expect(loadConfig(env({ SHOP_URL: 'https://example.com/shop' })).shopUrl).toBe('https://example.com/shop');
    for (const bad of ['shop.example.com', '/order', 'ftp://shop.example.com', 'javascript:alert(1)', 'https://shop.example.com/?a=1']) {
      expect(failure({ SHOP_URL: bad }).message).toContain('SHOP_URL: an absolute http(s) URL');
    }
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(env({ PORT: '', ADMIN_EMAIL: '', ADMIN_PASSWORD: '' }))).toMatchObject({ port: 3000, admin: undefined });
  });

  it('takes CORS_ORIGINS as a list of exact origins and refuses anything else', () => {
    expect(loadConfig(env({ CORS_ORIGINS: 'https://shop.example, http://localhost:5173' })).corsOrigins).toEqual(['https://shop.example', 'http://localhost:5173']);
    for (const bad of ['*', 'shop.example', 'https://shop.example/path']) expect(failure({ CORS_ORIGINS: bad }).message).toContain('CORS_ORIGINS');
  });
});

describe('secrets nobody configured', () => {
  it('are made at random on first start, kept in DATA_DIR/secrets with mode 0600, and the same after a restart', () => {
    const dataDir = tempDataDir('cleave-secrets-');
    const first = loadConfig({ DATA_DIR: dataDir });
    const again = loadConfig({ DATA_DIR: dataDir });
    expect(again.jwtSecret).toBe(first.jwtSecret);
    expect(again.carrierWebhookSecret).toBe(first.carrierWebhookSecret);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.jwtSecret).not.toBe(first.carrierWebhookSecret);
    for (const file of [first.storedSecrets.jwt!, first.storedSecrets.carrierWebhook!]) {
      expect(file.startsWith(join(dataDir, 'secrets'))).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(first.storedSecrets.jwt!, 'utf8').trim()).toBe(first.jwtSecret);
  });

  it('differ from one shop to the next: no constant in the source signs anything', () => {
    const a = loadConfig({ DATA_DIR: tempDataDir('cleave-secrets-') });
    const b = loadConfig({ DATA_DIR: tempDataDir('cleave-secrets-') });
    expect(a.jwtSecret).not.toBe(b.jwtSecret);
    expect(a.carrierWebhookSecret).not.toBe(b.carrierWebhookSecret);
  });
});

describe('a data directory that cannot be used', () => {
  it('fails at once with one line naming DATA_DIR, the path and the reason', () => {
    for (const dataDir of ['/proc/nope', '/dev/null/data']) {
      const err = failure({ DATA_DIR: dataDir });
      expect(err.message).toContain(`DATA_DIR=${dataDir}`);
      expect(err.message).toMatch(/ENOENT|ENOTDIR|EACCES/);
      expect(err.message.split('\n')).toHaveLength(1);
    }
  });

  it('makes `npm start` exit 2 with that line and no stack trace or usage', () => {
    const run = startProcess({ DATA_DIR: '/proc/nope' });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('DATA_DIR=/proc/nope');
  }, 120_000);
});

describe('help and configuration docs come from the config schema', () => {
  it('--help lists every variable, with no environment needed', () => {
    const run = startProcess({ DATA_DIR: '/proc/nope' }, ['--help']);
    expect(run.code).toBe(0);
    for (const name of Object.keys(VARIABLES)) expect(run.stdout).toContain(name);
  }, 120_000);

  it("README's configuration table is the generated one (npm run docs:config)", () => {
    const readme = readFileSync('README.md', 'utf8');
    const between = readme.split('<!-- config-table:start -->')[1]?.split('<!-- config-table:end -->')[0]?.trim();
    expect(between, 'run `npm run docs:config` and commit README.md').toBe(variablesTable());
  });

  it('a configuration error prints its one line, not the usage', () => {
    const run = startProcess({ PORT: 'abc', DATA_DIR: tempDataDir('cleave-config-') });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining('PORT')]);
  }, 120_000);
});
