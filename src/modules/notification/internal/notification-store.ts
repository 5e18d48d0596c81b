import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

type Tables = typeof schemas.postgres;
export type NoticeRow = Tables['notifications']['$inferSelect'];
export type NewNotice = Omit<NoticeRow, 'seq' | 'readAt'>;
export type Recipient = Tables['recipients']['$inferSelect'];
export type QueuedEmail = Pick<Tables['emailOutbox']['$inferSelect'], 'seq' | 'to' | 'subject' | 'text' | 'attempts'>;
export type NewEmail = Pick<Tables['emailOutbox']['$inferInsert'], 'notificationId' | 'to' | 'subject' | 'text' | 'createdAt'>;

/**
 * The only place that speaks SQL for the notification module, the same on both engines. Reads take
 * the executor last (the module's database unless a transaction is passed); writes that are part
 * of a larger change take its transaction first, the others open their own.
 */
export class NotificationStore {
  private readonly t;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
  }

  /** Inserts the notices in one statement; returns the ids of those inserted (a recipient who already has the notice for its event is left out). */
  async insertNotices(tx: Tx, rows: NewNotice[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const { notifications } = this.t;
    const values = rows.map(({ id, userId, sourceEventId, kind, title, body, createdAt }) => ({ id, userId, sourceEventId, kind, title, body, createdAt }));
    const inserted = await tx.sql.insert(notifications).values(values).onConflictDoNothing().returning({ id: notifications.id });
    return new Set(inserted.map((r) => r.id));
  }

  async listNotices(userId: string, limit: number, offset: number): Promise<{ rows: NoticeRow[]; total: number }> {
    const { notifications } = this.t;
    const mine = eq(notifications.userId, userId);
    const [rows, [counted]] = await Promise.all([
      this.db.sql.select().from(notifications).where(mine).orderBy(desc(notifications.createdAt), desc(notifications.seq)).limit(limit).offset(offset),
      this.db.sql.select({ n: count() }).from(notifications).where(mine),
    ]);
    return { rows, total: counted?.n ?? 0 };
  }

  /** Sets read_at once; false if the notice is not this user's. */
  markRead(userId: string, id: string, at: string): Promise<boolean> {
    const { notifications } = this.t;
    const mine = and(eq(notifications.id, id), eq(notifications.userId, userId));
    return this.db.transaction(async (tx) => {
      const [found] = await tx.sql.select({ readAt: notifications.readAt }).from(notifications).where(mine).limit(1);
      if (!found) return false;
      if (!found.readAt) await tx.sql.update(notifications).set({ readAt: at }).where(mine);
      return true;
    });
  }

  async recipients(userIds: string[], on: Executor = this.db): Promise<Recipient[]> {
    if (userIds.length === 0) return [];
    const { recipients } = this.t;
    return on.sql.select().from(recipients).where(inArray(recipients.userId, userIds));
  }

  /** Adds users we did not know, in one statement; what we already know stays (later events keep it current). */
  async rememberRecipients(tx: Tx, rows: Recipient[]): Promise<void> {
    if (rows.length === 0) return;
    const { recipients } = this.t;
    await tx.sql
      .insert(recipients)
      .values(rows.map(({ userId, email, emailNotifications }) => ({ userId, email, emailNotifications })))
      .onConflictDoNothing();
  }

  async setEmailPreference(tx: Tx, userId: string, emailNotifications: boolean): Promise<void> {
    const { recipients } = this.t;
    await tx.sql.update(recipients).set({ emailNotifications }).where(eq(recipients.userId, userId));
  }

  /** Queues the emails in one statement (an email already queued for its notice is left as it is). */
  async queueEmails(tx: Tx, rows: NewEmail[]): Promise<void> {
    if (rows.length === 0) return;
    const { emailOutbox } = this.t;
    const values = rows.map(({ notificationId, to, subject, text, createdAt }) => ({ notificationId, to, subject, text, createdAt }));
    await tx.sql.insert(emailOutbox).values(values).onConflictDoNothing();
  }

  /** Claims up to `limit` due emails, oldest first, until `leaseUntil`. */
  claimDueEmails(now: number, leaseUntil: number, limit: number): Promise<QueuedEmail[]> {
    // Claiming and leasing in one statement: two replicas never take the same email at once.
    return this.db.transaction((tx) =>
      tx.rows<QueuedEmail>(sql`UPDATE email_outbox SET locked_until = ${leaseUntil}, attempts = attempts + 1
        WHERE seq IN (SELECT seq FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ${now} AND locked_until <= ${now}
                      ORDER BY seq LIMIT ${limit} ${skipLocked(tx)})
        RETURNING seq, to_address AS "to", subject, text, attempts`),
    );
  }

  async markEmailSent(seq: number, at: string): Promise<void> {
    const { emailOutbox } = this.t;
    await this.db.transaction((tx) => tx.sql.update(emailOutbox).set({ status: 'sent', sentAt: at, lastError: null }).where(eq(emailOutbox.seq, seq)));
  }

  async retryEmailAt(seq: number, nextAttemptAt: number, error: string): Promise<void> {
    const { emailOutbox } = this.t;
    await this.db.transaction((tx) => tx.sql.update(emailOutbox).set({ nextAttemptAt, lockedUntil: 0, lastError: error }).where(eq(emailOutbox.seq, seq)));
  }

  async markEmailFailed(seq: number, error: string): Promise<void> {
    const { emailOutbox } = this.t;
    await this.db.transaction((tx) => tx.sql.update(emailOutbox).set({ status: 'failed', lockedUntil: 0, lastError: error }).where(eq(emailOutbox.seq, seq)));
  }
}

/** PostgreSQL: replicas claiming at once pass over each other's rows instead of queueing on them (SQLite has no row locks). */
function skipLocked(on: Executor) {
  return on.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
}
