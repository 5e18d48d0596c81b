import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Extra fields on every line. */
  base?: Record<string, unknown>;
  /** 'pretty': readable lines through pino-pretty; 'json': one object per line. Undefined: pretty on a terminal outside production. */
  format?: 'json' | 'pretty';
}

/** Field paths that may hold a secret, anywhere a log call could put them. */
const REDACTED = ['password', 'currentPassword', 'newPassword', 'passwordHash', 'token', 'secret', 'authorization'].flatMap((f) => [f, `*.${f}`]);

/** The one logger. Modules get a child bound to their name; secrets are redacted at the root. */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const pretty = options.format === 'pretty' || (options.format === undefined && process.stdout.isTTY && process.env.NODE_ENV !== 'production');
  return pino({
    level,
    base: { pid: process.pid, ...options.base },
    redact: { paths: [...REDACTED, 'req.headers.authorization', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
    // pino-pretty formats in a worker thread, off the request path.
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}
