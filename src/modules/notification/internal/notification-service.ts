import type { z } from 'zod';
import type { Implementation } from '../../../kernel/contract.ts';
import { notFound } from '../../../kernel/errors.ts';
import type { Notification, NotificationContract } from '../contract.ts';
import type { NoticeRow, NotificationStore } from './notification-store.ts';

/** The notification module's use cases; each public method is one call of its contract. */
export class NotificationService implements Implementation<NotificationContract> {
  constructor(private readonly store: NotificationStore) {}

  async list({ userId, limit, offset }: { userId: string; limit: number; offset: number }) {
    const { rows, total } = await this.store.listNotices(userId, limit, offset);
    return { items: rows.map(toNotification), total };
  }

  async markRead({ userId, notificationId }: { userId: string; notificationId: string }) {
    if (!(await this.store.markRead(userId, notificationId, new Date().toISOString()))) throw notFound('Notification');
    return {};
  }
}

function toNotification(row: NoticeRow): z.input<typeof Notification> {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    createdAt: row.createdAt,
    ...(row.readAt ? { readAt: row.readAt } : {}),
  };
}
