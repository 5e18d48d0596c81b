import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Sqlite } from '../../../kernel/persistence/database.ts';
import { emailOutbox, notifications, recipients } from './schema.ts';

export type NoticeRow = typeof notifications.$inferSelect;
export type NewNotice = Omit<NoticeRow, 'seq' | 'readAt'>;
export type Recipient = typeof recipients.$inferSelect;
export type QueuedEmail = Pick<typeof emailOutbox.$inferSelect, 'seq' | 'to' | 'subject' | 'text' | 'attempts'>;
export type NewEmail = Pick<typeof emailOutbox.$inferInsert, 'notificationId' | 'to' | 'subject' | 'text' | 'createdAt'>;

/** The only place that speaks SQL for the notification module. */
export class NotificationStore {
  private readonly page;
  private readonly total;
  private readonly claim;

  constructor(
    private readonly db: Db,
    sqlite: Sqlite,
  ) {
    const userId = sql.placeholder('userId');
    this.page = db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(desc(notifications.createdAt), desc(notifications.seq))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare();
    this.total = db.select({ n: count() }).from(notifications).where(eq(notifications.userId, userId)).prepare();
    // Claiming and leasing in one statement: two replicas never take the same email at once.
    this.claim = sqlite.prepare(
      `UPDATE email_outbox SET locked_until = @leaseUntil, attempts = attempts + 1
       WHERE seq IN (SELECT seq FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= @now AND locked_until <= @now
                     ORDER BY seq LIMIT @limit)
       RETURNING seq, to_address AS "to", subject, text, attempts`,
    );
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work());
  }

  /** False when this recipient already has the notice for this event. */
  insertNotice(row: NewNotice): boolean {
    return this.db.insert(notifications).values(row).onConflictDoNothing().run().changes > 0;
  }

  listNotices(userId: string, limit: number, offset: number): { rows: NoticeRow[]; total: number } {
    return { rows: this.page.all({ userId, limit, offset }), total: this.total.get({ userId })?.n ?? 0 };
  }

  /** Sets read_at once; false if the notice is not this user's. */
  markRead(userId: string, id: string, at: string): boolean {
    const mine = and(eq(notifications.id, id), eq(notifications.userId, userId));
    const found = this.db.select({ readAt: notifications.readAt }).from(notifications).where(mine).get();
    if (!found) return false;
    if (!found.readAt) this.db.update(notifications).set({ readAt: at }).where(mine).run();
    return true;
  }

  recipients(userIds: string[]): Recipient[] {
    return userIds.length ? this.db.select().from(recipients).where(inArray(recipients.userId, userIds)).all() : [];
  }

  /** Adds a user we did not know; what we already know stays (later events keep it current). */
  rememberRecipient(row: Recipient): void {
    this.db.insert(recipients).values(row).onConflictDoNothing().run();
  }

  setEmailPreference(userId: string, emailNotifications: boolean): void {
    this.db.update(recipients).set({ emailNotifications }).where(eq(recipients.userId, userId)).run();
  }

  queueEmail(row: NewEmail): void {
    this.db.insert(emailOutbox).values(row).onConflictDoNothing().run();
  }

  claimDueEmails(now: number, leaseUntil: number, limit: number): QueuedEmail[] {
    return this.claim.all({ now, leaseUntil, limit }) as QueuedEmail[];
  }

  markEmailSent(seq: number, at: string): void {
    this.db.update(emailOutbox).set({ status: 'sent', sentAt: at, lastError: null }).where(eq(emailOutbox.seq, seq)).run();
  }

  retryEmailAt(seq: number, nextAttemptAt: number, error: string): void {
    this.db.update(emailOutbox).set({ nextAttemptAt, lockedUntil: 0, lastError: error }).where(eq(emailOutbox.seq, seq)).run();
  }

  markEmailFailed(seq: number, error: string): void {
    this.db.update(emailOutbox).set({ status: 'failed', lockedUntil: 0, lastError: error }).where(eq(emailOutbox.seq, seq)).run();
  }
}
