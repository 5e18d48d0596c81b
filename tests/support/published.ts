import type { Sqlite } from '../../src/kernel/persistence/database.ts';
import type { Runtime } from '../../src/kernel/runtime.ts';
import { Kernel } from '../../src/kernel/tokens.ts';

/** Any shop started in this process: the whole shop, or the order modules with their fakes. */
export type Hosting = { runtime: Runtime };

/**
 * Events a hosted module has published (white-box: its outbox table), oldest first, optionally
 * only those of one type and/or one key. For asserting "announced exactly once".
 */
export function published(shop: Hosting, module: string, filter: { type?: string; key?: string } = {}): Array<{ type: string; key: string | null; payload: Record<string, unknown> }> {
  const sqlite = shop.runtime.containerOf(module).get<Sqlite>(Kernel.Sqlite);
  const rows = sqlite
    .prepare('SELECT type, key, payload FROM kernel_outbox WHERE (@type IS NULL OR type = @type) AND (@key IS NULL OR key = @key) ORDER BY seq')
    .all({ type: filter.type ?? null, key: filter.key ?? null }) as Array<{ type: string; key: string | null; payload: string }>;
  return rows.map((r) => ({ type: r.type, key: r.key, payload: JSON.parse(r.payload) }));
}
