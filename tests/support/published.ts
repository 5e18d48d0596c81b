import { sql } from 'drizzle-orm';
import { rowsIn, type Hosting } from './db.ts';

export type { Hosting } from './db.ts';

/**
 * Events a hosted module has published (white-box: its outbox table), oldest first, optionally
 * only those of one type and/or one key. For asserting "announced exactly once".
 */
export async function published(shop: Hosting, module: string, filter: { type?: string; key?: string } = {}): Promise<Array<{ type: string; key: string | null; payload: Record<string, unknown> }>> {
  const type = filter.type ?? null;
  const key = filter.key ?? null;
  const rows = await rowsIn<{ type: string; key: string | null; payload: string }>(
    shop,
    module,
    sql`SELECT type, key, payload FROM kernel_outbox WHERE (CAST(${type} AS text) IS NULL OR type = ${type}) AND (CAST(${key} AS text) IS NULL OR key = ${key}) ORDER BY seq`,
  );
  return rows.map((r) => ({ type: r.type, key: r.key, payload: JSON.parse(r.payload) }));
}
