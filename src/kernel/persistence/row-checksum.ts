import { createHash } from 'node:crypto';

const MODULUS = 1n << 256n;

/**
 * The rows of a table, counted and summed as a multiset: each row's SHA-256 (of its values in a
 * canonical form) added modulo 2^256. The sum does not depend on the order rows are read in, so
 * each engine can be read in its own order (their text collations sort differently), and a row
 * present twice counts twice, unlike a XOR, where two copies would cancel out.
 */
export class TableChecksum {
  rows = 0;
  private sum = 0n;

  /** Adds one row, its values as the shop's code reads them (see table-pairs.ts readValue). */
  add(values: readonly unknown[]): void {
    const digest = createHash('sha256').update(canonical(values)).digest('hex');
    this.sum = (this.sum + BigInt(`0x${digest}`)) % MODULUS;
    this.rows++;
  }

  get digest(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}

/** What differs between a table read from SQLite and the same table read back from PostgreSQL, or null. */
export function checksumMismatch(table: string, source: TableChecksum, target: TableChecksum): string | null {
  if (source.rows !== target.rows) return `table ${table}: ${source.rows} rows in SQLite but ${target.rows} in PostgreSQL`;
  if (source.digest !== target.digest) return `table ${table}: the same ${source.rows} rows, but their values differ (checksum ${source.digest.slice(0, 12)} in SQLite, ${target.digest.slice(0, 12)} in PostgreSQL)`;
  return null;
}

/**
 * JSON with object keys sorted, so two equal values give the same text whatever order their keys
 * were written in. JSON has no dates, bigints or bytes: they are written tagged (`d"2026-..."`,
 * `n42`), so a Date and the string of its ISO text do not look alike.
 */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return `d${JSON.stringify(value.toISOString())}`;
  if (typeof value === 'bigint') return `n${value.toString()}`;
  if (Buffer.isBuffer(value)) return `b${value.toString('base64')}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
