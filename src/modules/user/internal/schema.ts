import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['customer', 'admin'] }).notNull(),
  emailNotifications: integer('email_notifications', { mode: 'boolean' }).notNull().default(true),
  createdAt: text('created_at').notNull(),
});

export const addresses = sqliteTable(
  'addresses',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id),
    name: text('name').notNull(),
    line1: text('line1').notNull(),
    line2: text('line2'),
    city: text('city').notNull(),
    postalCode: text('postal_code').notNull(),
    country: text('country').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('addresses_user').on(t.userId)],
);

/** Failed sign-ins per email, to slow down password guessing (429 after too many). */
export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('login_failures_email_at').on(t.email, t.at)],
);
