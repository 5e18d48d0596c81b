import { sql } from 'drizzle-orm';
import { writeIn } from './db.ts';
import type { TestShop } from './in-process.ts';

/**
 * Redelivers every event the given producers ever published: their outbox rows are marked
 * unpublished, so the relay hands each envelope (same id) to every consumer again.
 * With `forgetHandled`, the consumers' inbox records are wiped first, as if they had lost them:
 * then only the consumers' own safeguards stand between the replay and double effects.
 */
export async function replayEvents(shop: TestShop, producers: string[], options: { forgetHandled?: string[] } = {}): Promise<void> {
  await shop.settled();
  for (const consumer of options.forgetHandled ?? []) await writeIn(shop, consumer, sql`DELETE FROM kernel_inbox`);
  for (const producer of producers) await writeIn(shop, producer, sql`UPDATE kernel_outbox SET published_at = NULL`);
  await shop.settled(30_000);
}
