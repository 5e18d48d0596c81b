import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { traceFields } from './tracing/spans.ts';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Extra fields on every line. */
  base?: Record<string, unknown>;
  /** 'pretty': readable lines through pino-pretty; 'json': one object per line. Undefined: pretty on a terminal outside production. */
  format?: 'json' | 'pretty';
  /** Where JSON lines go instead of stdout (a test reading what was logged). */
  destination?: DestinationStream;
}

/** Field paths that may hold a secret, anywhere a log call could put them. */
const REDACTED = ['password', 'currentPassword', 'newPassword', 'passwordHash', 'token', 'secret', 'authorization'].flatMap((f) => [f, `*.${f}`]);

/** The one logger. Modules get a child bound to their name; secrets are redacted at the root. */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const pretty = !options.destination && (options.format === 'pretty' || (options.format === undefined && process.stdout.isTTY && process.env.NODE_ENV !== 'production'));
  const settings: pino.LoggerOptions = {
    level,
    base: { pid: process.pid, ...options.base },
    // Lines written inside a traced request, call or handler carry its trace and span ids.
    mixin: traceFields,
    redact: { paths: [...REDACTED, 'req.headers.authorization', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
    // pino-pretty formats in a worker thread, off the request path.
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
