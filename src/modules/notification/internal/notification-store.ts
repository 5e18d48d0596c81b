import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Db, Sqlite } from '../../../kernel/persistence/database.ts';
import { emailOutbox, notifications, recipients } from './schema.ts';
import { param as p, inJsonArray } from '../../../kernel/persistence/statements.ts';

export type NoticeRow = typeof notifications.$inferSelect;
export type NewNotice = Omit<NoticeRow, 'seq' | 'readAt'>;
export type Recipient = typeof recipients.$inferSelect;
export type QueuedEmail = Pick<typeof emailOutbox.$inferSelect, 'seq' | 'to' | 'subject' | 'text' | 'attempts'>;
export type NewEmail = Pick<typeof emailOutbox.$inferInsert, 'notificationId' | 'to' | 'subject' | 'text' | 'createdAt'>;

/** The only place that speaks SQL for the notification module. Statements are prepared once, at start. */
export class NotificationStore {
  private readonly page;
  private readonly total;
  private readonly claim;
  private readonly q;

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
    const mine = and(eq(notifications.id, p('id')), eq(notifications.userId, userId));
    const bySeq = eq(emailOutbox.seq, p('seq'));
    this.q = {
      insertNotice: db.insert(notifications).values({
        id: p('id'), userId, sourceEventId: p('sourceEventId'), kind: p('kind'), title: p('title'), body: p('body'), createdAt: p('createdAt'),
      }).onConflictDoNothing().prepare(),
      readAt: db.select({ readAt: notifications.readAt }).from(notifications).where(mine).prepare(),
      markRead: db.update(notifications).set({ readAt: sql`${p('at')}` }).where(mine).prepare(),
      // One statement for any number of ids: they travel as one JSON array.
      recipients: db.select().from(recipients).where(inJsonArray(recipients.userId, 'userIds')).prepare(),
      rememberRecipient: db.insert(recipients).values({ userId, email: p('email'), emailNotifications: p('emailNotifications') }).onConflictDoNothing().prepare(),
      setEmailPreference: db.update(recipients).set({ emailNotifications: sql`${p('emailNotifications')}` }).where(eq(recipients.userId, userId)).prepare(),
      queueEmail: db.insert(emailOutbox).values({
        notificationId: p('notificationId'), to: p('to'), subject: p('subject'), text: p('text'), createdAt: p('createdAt'),
      }).onConflictDoNothing().prepare(),
      emailSent: db.update(emailOutbox).set({ status: 'sent', sentAt: sql`${p('at')}`, lastError: null }).where(bySeq).prepare(),
      emailRetry: db.update(emailOutbox).set({ nextAttemptAt: sql`${p('nextAttemptAt')}`, lockedUntil: 0, lastError: sql`${p('error')}` }).where(bySeq).prepare(),
      emailFailed: db.update(emailOutbox).set({ status: 'failed', lockedUntil: 0, lastError: sql`${p('error')}` }).where(bySeq).prepare(),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work());
  }

  /** False when this recipient already has the notice for this event. */
  insertNotice(row: NewNotice): boolean {
    const { id, userId, sourceEventId, kind, title, body, createdAt } = row;
    return this.q.insertNotice.run({ id, userId, sourceEventId, kind, title, body, createdAt }).changes > 0;
  }

  listNotices(userId: string, limit: number, offset: number): { rows: NoticeRow[]; total: number } {
    return { rows: this.page.all({ userId, limit, offset }), total: this.total.get({ userId })?.n ?? 0 };
  }

  /** Sets read_at once; false if the notice is not this user's. */
  markRead(userId: string, id: string, at: string): boolean {
    const found = this.q.readAt.get({ userId, id });
    if (!found) return false;
    if (!found.readAt) this.q.markRead.run({ userId, id, at });
    return true;
  }

  recipients(userIds: string[]): Recipient[] {
    return userIds.length ? this.q.recipients.all({ userIds: JSON.stringify(userIds) }) : [];
  }

  /** Adds a user we did not know; what we already know stays (later events keep it current). */
  rememberRecipient(row: Recipient): void {
    this.q.rememberRecipient.run({ userId: row.userId, email: row.email, emailNotifications: row.emailNotifications });
  }

  setEmailPreference(userId: string, emailNotifications: boolean): void {
    // Bound raw (SET values are plain SQL here), so the boolean goes in as SQLite's 1/0.
    this.q.setEmailPreference.run({ userId, emailNotifications: emailNotifications ? 1 : 0 });
  }

  queueEmail(row: NewEmail): void {
    const { notificationId, to, subject, text, createdAt } = row;
    this.q.queueEmail.run({ notificationId, to, subject, text, createdAt });
  }

  claimDueEmails(now: number, leaseUntil: number, limit: number): QueuedEmail[] {
    return this.claim.all({ now, leaseUntil, limit }) as QueuedEmail[];
  }

  markEmailSent(seq: number, at: string): void {
    this.q.emailSent.run({ seq, at });
  }

  retryEmailAt(seq: number, nextAttemptAt: number, error: string): void {
    this.q.emailRetry.run({ seq, nextAttemptAt, error });
  }

  markEmailFailed(seq: number, error: string): void {
    this.q.emailFailed.run({ seq, error });
  }
}
