import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** The one logger. Modules get a child bound to their name; secrets are redacted at the root. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { pid: process.pid, ...base },
    redact: {
      paths: ['password', '*.password', 'req.headers.authorization', 'headers.authorization', 'token', '*.token', 'passwordHash', '*.passwordHash'],
      censor: '[redacted]',
    },
  });
}
