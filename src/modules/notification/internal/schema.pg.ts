import { bigint, boolean, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import { NotificationKind } from '../contract.ts';

// PostgreSQL twin of schema.ts (tests/kernel/schema-parity.test.ts keeps them alike).

type Kind = z.infer<typeof NotificationKind>;
/** drizzle wants a non-empty tuple; the contract's enum is the one list of kinds. */
const KINDS = NotificationKind.options as [Kind, ...Kind[]];

/**
 * The in-app inbox. `seq` orders notices that happened in the same millisecond; the unique
 * (source_event_id, user_id) index makes "one notice per event and recipient" hold even if an
 * event slipped past the kernel's inbox twice.
 */
export const notifications = pgTable(
  'notifications',
  {
    seq: integer('seq').primaryKey().generatedByDefaultAsIdentity(),
    id: text('id').notNull(),
    userId: text('user_id').notNull(),
    sourceEventId: text('source_event_id').notNull(),
    kind: text('kind', { enum: KINDS }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: text('created_at').notNull(),
    readAt: text('read_at'),
  },
  (t) => [
    uniqueIndex('notifications_id').on(t.id),
    uniqueIndex('notifications_source_user').on(t.sourceEventId, t.userId),
    index('notifications_user_newest').on(t.userId, t.createdAt, t.seq),
  ],
);

/** Who may get email: a projection of the user module's accounts, fed by its events. */
export const recipients = pgTable('recipients', {
  userId: text('user_id').primaryKey(),
  email: text('email').notNull(),
  emailNotifications: boolean('email_notifications').notNull(),
  /** A guest's account (a guest checkout): it has no preferences to turn emails off in. */
  guest: boolean('guest').notNull().default(false),
});

/**
 * Emails waiting for the sender loop, written in the notice's own transaction so that a slow or
 * dead SMTP server never holds up the event flow. `locked_until` lets replicas share the table.
 */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    notificationId: text('notification_id').notNull(),
    to: text('to_address').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** Epoch milliseconds, hence bigint (as locked_until). */
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull().default(0),
    lockedUntil: bigint('locked_until', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull(),
    sentAt: text('sent_at'),
  },
  (t) => [uniqueIndex('email_outbox_notification').on(t.notificationId), index('email_outbox_due').on(t.status, t.nextAttemptAt)],
);
