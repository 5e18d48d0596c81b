import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { call, defineContract, event, type EventEnvelope, type Implementation } from '../../src/kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../src/kernel/events/handlers.ts';
import { on } from '../../src/kernel/events/handlers.ts';
import { defineModule, provide } from '../../src/kernel/module.ts';
import { sql } from 'drizzle-orm';
import type { ModuleDb } from '../../src/kernel/persistence/sql.ts';
import { Kernel } from '../../src/kernel/tokens.ts';
import { RECORDS_MIGRATIONS } from './runtime.ts';

/**
 * Two throwaway modules for the outbox and inbox tests. `till` records a sale and publishes
 * `till.sold` in the same transaction; `bookkeeper` handles `till.sold` by adding a row to its own
 * `records` table — deliberately not idempotent by itself, so a second application would show.
 * How the handler behaves per sale (fail N times, fail inside its commit, ...) is scripted by the test.
 */
export const Sold = z.object({ saleId: z.string(), amount: z.number().int() });

export const tillContract = defineContract(
  'till',
  {
    /** Records a sale and publishes till.sold; `thenFail` throws after publishing, inside the transaction. */
    sell: call({ input: z.strictObject({ saleId: z.string(), amount: z.number().int(), thenFail: z.boolean().optional() }), output: z.object({ eventId: z.string() }) }),
  },
  { sold: event(1, Sold) },
);

export class Till implements Implementation<typeof tillContract> {
  constructor(private readonly db: ModuleDb) {}

  sell({ saleId, amount, thenFail }: { saleId: string; amount: number; thenFail?: boolean }) {
    return this.db.transaction(async (tx) => {
      await tx.changed(sql`INSERT INTO records (id, value) VALUES (${saleId}, ${String(amount)})`);
      const published = await tx.publish(tillContract.events.sold, { saleId, amount }, { key: saleId });
      if (thenFail) throw new Error('the till jammed after publishing');
      return { eventId: published.id };
    });
  }
}

export interface HandlerScript {
  /** Runs before the commit; throw to fail this attempt. */
  before?(attempt: number): void;
  /** Runs inside the commit, after the effect was written; throw to roll both back. */
  inCommit?(attempt: number): void;
}

/** What the bookkeeper's handler saw: one entry per attempt. */
export interface Attempt {
  saleId: unknown;
  eventId: string;
  attempt: number;
  at: number;
}

export const script = new Map<string, HandlerScript>();
export const attempts: Attempt[] = [];

export class RecordSale implements EventHandler<z.infer<typeof Sold>> {
  async handle(event: EventEnvelope<z.infer<typeof Sold>>, ctx: HandlerContext): Promise<void> {
    const { saleId } = event.payload;
    attempts.push({ saleId, eventId: event.id, attempt: ctx.attempt, at: Date.now() });
    const plan = script.get(saleId);
    plan?.before?.(ctx.attempt);
    await ctx.commit(async (tx) => {
      await tx.changed(sql`INSERT INTO records (id, value) VALUES (${randomUUID()}, ${String(saleId)})`);
      plan?.inCommit?.(ctx.attempt);
    });
  }
}

export const tillModule = defineModule({
  contract: tillContract,
  migrations: RECORDS_MIGRATIONS,
  bindings: [provide(Till, [Kernel.Db])],
  implementation: Till,
});

const bookkeeperContract = defineContract('bookkeeper', { ping: call({ input: z.strictObject({}), output: z.object({}) }) }, {});

class Bookkeeper implements Implementation<typeof bookkeeperContract> {
  ping() {
    return {};
  }
}

export const bookkeeperModule = defineModule({
  contract: bookkeeperContract,
  migrations: RECORDS_MIGRATIONS,
  bindings: [provide(Bookkeeper, [])],
  implementation: Bookkeeper,
  handlers: [on(tillContract.events.sold, 'RecordSale', RecordSale, [])],
});

/** An envelope of till.sold as a transport would carry it. */
export function soldEnvelope(payload: unknown, id: string = randomUUID()): EventEnvelope {
  return { id, type: tillContract.events.sold.type, version: 1, occurredAt: new Date().toISOString(), payload };
}
