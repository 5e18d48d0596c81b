import { isDatabaseUnreachable } from './persistence/database-unreachable.ts';

/**
 * The one error family that crosses module boundaries. A module throws these; the kernel carries
 * them across calls (in-process or over NATS) as plain data and the HTTP edge maps them to statuses.
 * Anything else thrown inside a module becomes an opaque `internal` error: no stack leaks out.
 */
export const ERROR_STATUS = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorKind = keyof typeof ERROR_STATUS;

export interface FieldError {
  path: string;
  message: string;
}

export interface WireError {
  kind: ErrorKind;
  message: string;
  errors?: FieldError[];
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.kind];
  }

  toWire(): WireError {
    return this.errors ? { kind: this.kind, message: this.message, errors: this.errors } : { kind: this.kind, message: this.message };
  }

  static fromWire(wire: WireError): AppError {
    const kind = wire.kind in ERROR_STATUS ? wire.kind : 'internal';
    return new AppError(kind, wire.message, wire.errors);
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found`);
export const conflict = (message: string) => new AppError('conflict', message);
export const unprocessable = (message: string) => new AppError('unprocessable', message);
export const forbidden = (message = 'You are not allowed to do this') => new AppError('forbidden', message);
export const unauthorized = (message = 'Authentication required') => new AppError('unauthorized', message);
export const unavailable = (message: string) => new AppError('unavailable', message);
export const validationError = (errors: FieldError[], message = 'The request is not valid') =>
  new AppError('validation', message, errors);

/**
 * Normalises anything thrown into an AppError safe to send across a boundary. A database that
 * could not be reached is `unavailable` (503, try again), not the request's fault nor a bug.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnreachable(err)) return new AppError('unavailable', 'This part of the shop cannot reach its database just now; try again shortly');
  return new AppError('internal', 'Internal error');
}
