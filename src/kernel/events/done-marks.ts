import type { ModuleDb } from '../persistence/sql.ts';
import { QUEUE_TX } from '../persistence/sql-pieces.ts';
import type { InboxTable } from './inbox-table.ts';

interface Waiting {
  seq: number;
  written: () => void;
  failed: (err: unknown) => void;
}

/**
 * The "done" marks of handler runs that committed nothing through `ctx.commit` (a handler that
 * calls other modules, or writes in transactions of its own, like the order saga), written
 * together: every mark that arrives while the module's write lock is busy, or while the previous
 * marks are written, goes into the next transaction, instead of a transaction (and a COMMIT) each.
 *
 * Nothing a crash could do changes: such a handler runs again if the process dies between its
 * last effect and its mark, so it is idempotent already, and a mark that waits a moment for
 * company is the same as one that was cut short. A mark is reported written only once committed;
 * if the transaction fails, every mark in it fails (the run is retried, as with a mark of its own).
 */
export class DoneMarks {
  private readonly queued: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly db: ModuleDb,
    private readonly table: InboxTable,
  ) {}

  /** Resolves once the row's mark is committed (a row no longer pending is left as it is). */
  mark(seq: number): Promise<void> {
    return new Promise<void>((written, failed) => {
      this.queued.push({ seq, written, failed });
      if (!this.writing) void this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    while (this.queued.length > 0) {
      const batch: Waiting[] = [];
      try {
        await this.db.transaction(async (tx) => {
          // Taken when the transaction starts, not when it was asked for: the marks that came
          // while it waited for the write lock join it. (Run again after a conflict on
          // PostgreSQL: the batch taken so far, and any newcomers.)
          batch.push(...this.queued.splice(0));
          for (const { seq } of batch) await this.table.markDone(tx, seq);
        }, QUEUE_TX);
        for (const w of batch) w.written();
      } catch (err) {
        for (const w of batch) w.failed(err);
      }
    }
    this.writing = false;
  }
}
