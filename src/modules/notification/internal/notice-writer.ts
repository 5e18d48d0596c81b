import { randomUUID } from 'node:crypto';
import type { Config } from '../../../kernel/config.ts';
import type { Api, EventEnvelope } from '../../../kernel/contract.ts';
import type { HandlerContext } from '../../../kernel/events/handlers.ts';
import type { UserContract } from '../../user/contract.ts';
import type { EmailSender } from './email-sender.ts';
import type { NotificationStore, Recipient } from './notification-store.ts';
import { renderEmail, renderNotice, type NoticeFacts } from './templates.ts';

export interface NoticeDraft {
  userId: string;
  facts: NoticeFacts;
}

/**
 * Turns one event into notices for its recipients, inside the handler's transaction: the inbox
 * row, each notice and each queued email commit together, or none does (all the notices in one
 * statement, all the emails in another). Email addresses and
 * preferences come from the local `recipients` projection (fed by user events), so a notice
 * costs no call to the user module; only a user the projection has never seen (a database
 * created after they registered, or a guest: guests' accounts are not announced) is fetched, in
 * one batched getUsers call per event.
 */
export class NoticeWriter {
  constructor(
    private readonly store: NotificationStore,
    private readonly users: Api<UserContract>,
    private readonly sender: EmailSender,
    private readonly config: Pick<Config, 'shopUrl'>,
  ) {}

  async deliver(event: EventEnvelope, ctx: HandlerContext, drafts: NoticeDraft[]): Promise<void> {
    const userIds = [...new Set(drafts.map((d) => d.userId))];
    const newcomers = this.sender.enabled ? await this.unknownRecipients(userIds) : [];
    const queued = await ctx.commit(async (tx) => {
      await this.store.rememberRecipients(tx, newcomers);
      const mailable = new Map(this.sender.enabled ? (await this.store.recipients(userIds, tx)).map((r) => [r.userId, r]) : []);
      const notices = drafts.map(({ userId, facts }) => {
        const message = renderNotice(facts);
        return { id: randomUUID(), userId, sourceEventId: event.id, kind: facts.kind, title: message.subject, body: message.text, createdAt: event.occurredAt, message, facts };
      });
      const fresh = await this.store.insertNotices(tx, notices);
      const emails = notices.flatMap(({ id, userId, message, facts }) => {
        const recipient = mailable.get(userId);
        if (!fresh.has(id) || !recipient?.emailNotifications) return [];
        return [{ notificationId: id, to: recipient.email, ...renderEmail(message, facts, this.config.shopUrl, recipient.guest), createdAt: new Date().toISOString() }];
      });
      await this.store.queueEmails(tx, emails);
      return emails.length;
    });
    if (queued > 0) this.sender.wake();
  }

  private async unknownRecipients(userIds: string[]): Promise<Recipient[]> {
    const known = new Set((await this.store.recipients(userIds)).map((r) => r.userId));
    const missing = userIds.filter((id) => !known.has(id));
    if (missing.length === 0) return [];
    const { items } = await this.users.getUsers({ userIds: missing });
    return items.map((u) => ({ userId: u.id, email: u.email, emailNotifications: u.preferences.emailNotifications, guest: u.guest === true }));
  }
}
