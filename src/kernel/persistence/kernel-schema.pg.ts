import { sql } from 'drizzle-orm';
import { pgTable, text, integer, bigint, index, uniqueIndex } from 'drizzle-orm/pg-core';

// PostgreSQL declarations of the tables in kernel-schema.ts (same names, columns, keys and indexes;
// tests/kernel/schema-parity.test.ts holds them together). Plain pgTable, no pgSchema: the tables
// land in whatever schema the connection's search_path names, one per module.

/**
 * Tables the kernel keeps in EVERY module's database. They live beside the module's own tables so
 * that an event is written in the same transaction as the state change that caused it (outbox),
 * and a handler's effects in the same transaction as the record that it ran (inbox).
 */
export const outbox = pgTable(
  'kernel_outbox',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    id: text('id').notNull(),
    type: text('type').notNull(),
    version: integer('version').notNull(),
    key: text('key'),
    traceId: text('trace_id'),
    payload: text('payload').notNull(),
    occurredAt: text('occurred_at').notNull(),
    publishedAt: text('published_at'),
  },
  // Partial indexes keep only the rows still to do, so they stay small and cheap to update.
  (t) => [index('kernel_outbox_unpublished').on(t.seq).where(sql`published_at IS NULL`)],
);

/**
 * One row per (event, handler): the durable queue a consumer works from, the idempotency record,
 * and, with status 'dead', the dead-letter record an operator can inspect and retry.
 */
export const inbox = pgTable(
  'kernel_inbox',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    eventId: text('event_id').notNull(),
    handler: text('handler').notNull(),
    type: text('type').notNull(),
    key: text('key'),
    envelope: text('envelope').notNull(),
    status: text('status', { enum: ['pending', 'done', 'dead'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Epoch milliseconds, hence bigint. */
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull().default(0),
    lockedUntil: bigint('locked_until', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
    receivedAt: text('received_at').notNull(),
    handledAt: text('handled_at'),
  },
  (t) => [
    uniqueIndex('kernel_inbox_event_handler').on(t.eventId, t.handler),
    index('kernel_inbox_pending').on(t.seq).where(sql`status = 'pending'`),
    // Dead letters are few among millions of handled rows: listed and counted (metrics) through this.
    index('kernel_inbox_dead').on(t.seq).where(sql`status = 'dead'`),
  ],
);

/**
 * A counter per read cache (see read-cache.ts), bumped by triggers on the tables the cache reads,
 * in the same transaction as the change. bigint: it only ever grows.
 */
export const generations = pgTable('kernel_generations', {
  scope: text('scope').primaryKey(),
  value: bigint('value', { mode: 'number' }).notNull().default(0),
});

/**
 * The store's identity: one row, a random id written when the kernel's tables are first created
 * (store-identity.ts). Processes hosting the module announce it over NATS, so a process whose
 * store is another one refuses to start (docs/architecture.md, "One store per module, checked").
 */
export const storeIdentity = pgTable('kernel_store_identity', {
  id: text('id').primaryKey(),
  createdAt: text('created_at').notNull(),
});
