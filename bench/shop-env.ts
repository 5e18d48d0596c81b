/** The environment the benchmark starts the shop with: production mode, quiet logs, its own data and NATS namespace. */
export function shopEnv(dataDir: string, namespace: string): Record<string, string | undefined> {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123456789',
    CARRIER_WEBHOOK_SECRET: 'bench-carrier-secret-0123',
    // Registering 1,000 customers at the production scrypt cost would take minutes; logins are not measured.
    SCRYPT_COST: '12',
    NATS_NAMESPACE: namespace,
    // No real card processor exists; production takes the test gateway only when told to.
    PAYMENT_GATEWAY: 'test',
  };
}
