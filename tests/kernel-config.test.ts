import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/kernel/config.ts';

/** The one config reader: bad environment fails at start, naming the variable and why. */
const SECRET = 'a-production-jwt-secret-of-32-chars-or-more';
const CARRIER = 'a-carrier-webhook-secret';

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('config', () => {
  it('starts with development defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ nodeEnv: 'development', port: 3000, jwtSecretIsDefault: true, admin: undefined });
  });

  it('names the bad variable: PORT=abc', () => {
    const err = failure({ PORT: 'abc' });
    expect(err.message).toContain('PORT');
    expect(err.message).toContain('"abc"');
  });

  it('names every bad variable at once, not only the first', () => {
    const err = failure({ PORT: '70000', LOG_LEVEL: 'loud', EVENT_MAX_ATTEMPTS: '0', EVENT_LEASE_MS: '5' });
    for (const name of ['PORT', 'LOG_LEVEL', 'EVENT_MAX_ATTEMPTS', 'EVENT_LEASE_MS']) expect(err.message).toContain(name);
  });

  it('refuses production without JWT_SECRET, rather than signing tokens with the public development secret', () => {
    const err = failure({ NODE_ENV: 'production', CARRIER_WEBHOOK_SECRET: CARRIER });
    expect(err.message).toContain('JWT_SECRET');
  });

  it('refuses a JWT_SECRET shorter than 32 characters', () => {
    expect(failure({ JWT_SECRET: 'short' }).message).toContain('JWT_SECRET');
  });

  it('starts in production when the secrets are set', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, CARRIER_WEBHOOK_SECRET: CARRIER });
    expect(config).toMatchObject({ nodeEnv: 'production', jwtSecret: SECRET, jwtSecretIsDefault: false, seedDemo: false });
  });

  it('refuses ADMIN_EMAIL without ADMIN_PASSWORD, and the other way round', () => {
    expect(failure({ ADMIN_EMAIL: 'admin@example.test' }).message).toMatch(/ADMIN_EMAIL.*ADMIN_PASSWORD/);
    expect(failure({ ADMIN_PASSWORD: 'long-enough-password' }).message).toMatch(/ADMIN_EMAIL.*ADMIN_PASSWORD/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', ADMIN_EMAIL: '', ADMIN_PASSWORD: '' })).toMatchObject({ port: 3000, admin: undefined });
  });
});
