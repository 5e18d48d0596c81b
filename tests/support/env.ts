export const ADMIN = { email: 'admin@cleave.test', password: 'admin-password-1' };
export const CARRIER_SECRET = 'test-carrier-webhook-secret';

/** The environment every test process runs with: fast hashing, fast retries, quiet logs. */
export function testEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    CARRIER_WEBHOOK_SECRET: CARRIER_SECRET,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SCRYPT_COST: '10',
    SEED_DEMO: 'false',
    EVENT_RETRY_BASE_MS: '20',
    EVENT_POLL_MS: '200',
    PAYMENT_RETRY_BASE_MS: '10',
    ...extra,
  };
}
