/** The SQLSTATE of a PostgreSQL error (drizzle wraps the driver's error in `cause`). */
export function sqlStateOf(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string } } | undefined)?.cause ?? err;
  return (cause as { code?: string } | undefined)?.code;
}

/**
 * PostgreSQL aborted the transaction for a conflict with a concurrent one (serialization_failure,
 * deadlock_detected): nothing was wrong with it, and it may run again from the start. SQLite, with
 * one writer at a time, never raises these.
 */
export function isWriteConflict(err: unknown): boolean {
  const code = sqlStateOf(err);
  return code === '40001' || code === '40P01';
}
