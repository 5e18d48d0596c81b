import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { param, prepared, setParam } from '../../../kernel/persistence/prepared.ts';
import { skipLocked } from '../../../kernel/persistence/sql-pieces.ts';
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
  /**
   * What every notice, inbox read and email send runs, built once per connection (kernel
   * prepared.ts). An event's notices, recipients and emails have a one-row form here (an event
   * most often concerns one user); more rows are written or read per call, as the statement grows
   * with them.
   */
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { notifications, recipients, emailOutbox } = this.t;
    const mine = and(eq(notifications.id, param('id')), eq(notifications.userId, param('userId')));
    const bySeq = eq(emailOutbox.seq, param('seq'));
    this.q = {
      insertNotice: prepared('notice_insert', (d) =>
        d
          .insert(notifications)
          .values({
            id: param('id'),
            userId: param('userId'),
            sourceEventId: param('sourceEventId'),
            kind: param('kind'),
            title: param('title'),
            body: param('body'),
            createdAt: param('createdAt'),
          })
          .onConflictDoNothing()
          .returning({ id: notifications.id }),
      ),
      notices: prepared('notices_of_user', (d) =>
        d
          .select()
          .from(notifications)
          .where(eq(notifications.userId, param('userId')))
          .orderBy(desc(notifications.createdAt), desc(notifications.seq))
          .limit(param('limit'))
          .offset(param('offset')),
      ),
      noticeCount: prepared('notices_of_user_count', (d) => d.select({ n: count() }).from(notifications).where(eq(notifications.userId, param('userId')))),
      readAt: prepared('notice_read_at', (d) => d.select({ readAt: notifications.readAt }).from(notifications).where(mine)),
      markRead: prepared('notice_mark_read', (d) => d.update(notifications).set({ readAt: setParam('at') }).where(mine)),
      recipient: prepared('recipient_by_user', (d) => d.select().from(recipients).where(eq(recipients.userId, param('userId')))),
      queueEmail: prepared('email_queue', (d) =>
        d
          .insert(emailOutbox)
          .values({ notificationId: param('notificationId'), to: param('to'), subject: param('subject'), text: param('text'), createdAt: param('createdAt') })
          .onConflictDoNothing(),
      ),
      markEmailSent: prepared('email_mark_sent', (d) => d.update(emailOutbox).set({ status: 'sent', sentAt: setParam('at'), lastError: null }).where(bySeq)),
      retryEmailAt: prepared('email_retry_at', (d) =>
        d.update(emailOutbox).set({ nextAttemptAt: setParam('nextAttemptAt'), lockedUntil: 0, lastError: setParam('error') }).where(bySeq),
      ),
      markEmailFailed: prepared('email_mark_failed', (d) => d.update(emailOutbox).set({ status: 'failed', lockedUntil: 0, lastError: setParam('error') }).where(bySeq)),
    };
  }

  /** Inserts the notices in one statement; returns the ids of those inserted (a recipient who already has the notice for its event is left out). */
  async insertNotices(tx: Tx, rows: NewNotice[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    if (rows.length === 1) {
      const [{ id, userId, sourceEventId, kind, title, body, createdAt }] = rows;
      return new Set((await this.q.insertNotice(tx, { id, userId, sourceEventId, kind, title, body, createdAt })).map((r) => r.id));
    }
    const { notifications } = this.t;
    const values = rows.map(({ id, userId, sourceEventId, kind, title, body, createdAt }) => ({ id, userId, sourceEventId, kind, title, body, createdAt }));
    const inserted = await tx.sql.insert(notifications).values(values).onConflictDoNothing().returning({ id: notifications.id });
    return new Set(inserted.map((r) => r.id));
  }

  async listNotices(userId: string, limit: number, offset: number): Promise<{ rows: NoticeRow[]; total: number }> {
    const [rows, [counted]] = await Promise.all([this.q.notices(this.db, { userId, limit, offset }), this.q.noticeCount(this.db, { userId })]);
    return { rows, total: counted?.n ?? 0 };
  }

  /** Sets read_at once; false if the notice is not this user's. */
  markRead(userId: string, id: string, at: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [found] = await this.q.readAt(tx, { id, userId });
      if (!found) return false;
      if (!found.readAt) await this.q.markRead(tx, { id, userId, at });
      return true;
    });
  }

  async recipients(userIds: string[], on: Executor = this.db): Promise<Recipient[]> {
    if (userIds.length === 0) return [];
    if (userIds.length === 1) return this.q.recipient(on, { userId: userIds[0] });
    const { recipients } = this.t;
    return on.sql.select().from(recipients).where(inArray(recipients.userId, userIds));
  }

  /** Adds users we did not know, in one statement; what we already know stays (later events keep it current). */
  async rememberRecipients(tx: Tx, rows: Recipient[]): Promise<void> {
    if (rows.length === 0) return;
    const { recipients } = this.t;
    await tx.sql
      .insert(recipients)
      .values(rows.map(({ userId, email, emailNotifications, guest }) => ({ userId, email, emailNotifications, guest })))
      .onConflictDoNothing();
  }

  async setEmailPreference(tx: Tx, userId: string, emailNotifications: boolean): Promise<void> {
    const { recipients } = this.t;
    await tx.sql.update(recipients).set({ emailNotifications }).where(eq(recipients.userId, userId));
  }

  /** Queues the emails in one statement (an email already queued for its notice is left as it is). */
  async queueEmails(tx: Tx, rows: NewEmail[]): Promise<void> {
    if (rows.length === 0) return;
    if (rows.length === 1) {
      const [{ notificationId, to, subject, text, createdAt }] = rows;
      await this.q.queueEmail(tx, { notificationId, to, subject, text, createdAt });
      return;
    }
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
    await this.db.transaction((tx) => this.q.markEmailSent(tx, { seq, at }));
  }

  async retryEmailAt(seq: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.db.transaction((tx) => this.q.retryEmailAt(tx, { seq, nextAttemptAt, error }));
  }

  async markEmailFailed(seq: number, error: string): Promise<void> {
    await this.db.transaction((tx) => this.q.markEmailFailed(tx, { seq, error }));
  }
}
