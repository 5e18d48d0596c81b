import nodemailer from 'nodemailer';
import type { Config } from '../../../kernel/config.ts';
import type { Logger } from '../../../kernel/logger.ts';
import type { NotificationStore, QueuedEmail } from './notification-store.ts';

const BATCH = 10;
/** How long a claimed email stays with this process before a replica may try it. */
const LEASE_MS = 60_000;
/** An address that bounced this many times is given up on (the row stays, marked failed). */
const MAX_ATTEMPTS = 6;
const RETRY_BASE_MS = 500;
const MAX_BACKOFF_MS = 10 * 60_000;
/** Picks up emails queued by another replica, or due for a retry after a restart. */
const POLL_MS = 1_000;

/**
 * Delivers queued emails over SMTP, apart from the event flow: a handler only writes an
 * email_outbox row, so a slow or unreachable mail server never holds up notices. Failures are
 * retried with exponential backoff up to MAX_ATTEMPTS, then recorded as failed.
 */
export class EmailSender {
  private readonly mailer;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: NotificationStore,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    this.mailer = config.smtpUrl
      ? nodemailer.createTransport({
          url: config.smtpUrl,
          pool: true,
          // Fail fast on a dead server: the email is retried later anyway.
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        })
      : null;
  }

  /** Whether the shop sends email at all (SMTP_URL is set). */
  get enabled(): boolean {
    return this.mailer !== null;
  }

  start(): void {
    if (!this.mailer) return;
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.timer.unref();
    this.wake();
  }

  /** Asks for a delivery round soon; rounds never overlap. */
  wake(): void {
    if (!this.mailer || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.deliverDue()
      .catch((err) => this.logger.error({ err }, 'email delivery round failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    this.mailer?.close();
  }

  private async deliverDue(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      const due = await this.store.claimDueEmails(now, now + LEASE_MS, BATCH);
      if (due.length === 0) return;
      await Promise.all(due.map((email) => this.send(email)));
    }
  }

  private async send(email: QueuedEmail): Promise<void> {
    try {
      await this.mailer!.sendMail({ from: this.config.smtpFrom, to: email.to, subject: email.subject, text: email.text });
      await this.store.markEmailSent(email.seq, new Date().toISOString());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (email.attempts >= MAX_ATTEMPTS) {
        await this.store.markEmailFailed(email.seq, message);
        this.logger.error({ err, email: email.seq, attempts: email.attempts }, 'email given up after repeated failures');
        return;
      }
      const backoff = Math.min(MAX_BACKOFF_MS, RETRY_BASE_MS * 2 ** (email.attempts - 1));
      await this.store.retryEmailAt(email.seq, Date.now() + backoff, message);
      setTimeout(() => this.wake(), backoff).unref();
      this.logger.warn({ err, email: email.seq, attempt: email.attempts, retryInMs: backoff }, 'email failed; will retry');
    }
  }
}
