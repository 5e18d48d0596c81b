import type { Sqlite } from '../../src/kernel/persistence/database.ts';
import { Kernel } from '../../src/kernel/tokens.ts';
import type { TestShop } from './in-process.ts';

/**
 * Redelivers every event the given producers ever published: their outbox rows are marked
 * unpublished, so the relay hands each envelope (same id) to every consumer again.
 * With `forgetHandled`, the consumers' inbox records are wiped first, as if they had lost them:
 * then only the consumers' own safeguards stand between the replay and double effects.
 */
export async function replayEvents(shop: TestShop, producers: string[], options: { forgetHandled?: string[] } = {}): Promise<void> {
  await shop.settled();
  for (const consumer of options.forgetHandled ?? []) sqliteOf(shop, consumer).prepare('DELETE FROM kernel_inbox').run();
  for (const producer of producers) sqliteOf(shop, producer).prepare('UPDATE kernel_outbox SET published_at = NULL').run();
  await shop.settled(30_000);
}

function sqliteOf(shop: TestShop, module: string): Sqlite {
  return shop.runtime.containerOf(module).get<Sqlite>(Kernel.Sqlite);
}
