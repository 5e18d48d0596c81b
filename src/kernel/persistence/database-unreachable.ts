import { sqlStateOf } from './write-conflict.ts';

/**
 * SQLSTATEs with which PostgreSQL turns a session away or ends it: connection exceptions (class
 * 08), too many connections (for the server, a database or a role), the server shutting down or
 * starting up. Nothing is wrong with the request; the same request may succeed a moment later.
 */
const REFUSED_STATES = new Set(['53300', '57P01', '57P02', '57P03']);

/** What postgres.js and Node's sockets call a connection that could not be made or was lost. */
const LOST_CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * The module's database could not be reached (refused, full, restarting, or the connection lost
 * mid-query): an outage of the store, not a fault of the request, so the edge answers it 503
 * (try again) rather than 500. The transaction it cut short was rolled back by the server.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  const code = sqlStateOf(err);
  if (code === undefined) return false;
  return code.startsWith('08') || REFUSED_STATES.has(code) || LOST_CONNECTION_CODES.has(code);
}
