import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Accounts. Only registered accounts' emails are unique: a guest may check out with any email, a
 * registered customer's too, and may register with it later.
 */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['customer', 'admin'] }).notNull(),
    emailNotifications: integer('email_notifications', { mode: 'boolean' }).notNull().default(true),
    createdAt: text('created_at').notNull(),
    /** Raised by a logout or a password change: tokens signed with an older version no longer open a session. */
    tokenVersion: integer('token_version').notNull().default(0),
    /** A guest's account, made at a guest checkout: no password, never signs in. Rows from before guests existed are registered. */
    isGuest: integer('is_guest', { mode: 'boolean' }).notNull().default(false),
    /**
     * A guest's checkout session, as the caller names it: its guest account is found again by this
     * key and the email, so a checkout sent twice makes one account. Null for registered accounts
     * and for guests' accounts from before keys.
     */
    guestKey: text('guest_key'),
  },
  (t) => [
    // Written as sign-in's lookup writes it (`is_guest = false`), so both engines find an email through it.
    uniqueIndex('users_email_registered').on(t.email).where(sql`is_guest = false`),
    // On the email as stored, which is lower-cased on every write: no expression index needed for
    // "the same email in any case". NULL keys are distinct on both engines, so accounts without one never collide.
    uniqueIndex('users_guest_key_email').on(t.guestKey, t.email),
  ],
);

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

/**
 * Sign-in attempts that did not succeed, per email and client address, to slow down password
 * guessing (429 past the limits in sign-in-throttle.ts). An attempt is written before its password
 * is checked, so attempts still being checked count too; a right password deletes its row.
 */
export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    address: text('address').notNull().default(''),
    at: integer('at').notNull(),
  },
  (t) => [index('login_failures_email_at').on(t.email, t.at), index('login_failures_address_at').on(t.address, t.at)],
);

/** Registrations per client address (whatever their outcome), to slow down mass sign-ups. */
export const registrationAttempts = sqliteTable(
  'registration_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    address: text('address').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('registration_attempts_address_at').on(t.address, t.at)],
);

/** Addresses a user signed in from with the right password, recently: they may still try while the account is locked. */
export const signInAddresses = sqliteTable(
  'sign_in_addresses',
  {
    userId: text('user_id').notNull(),
    address: text('address').notNull(),
    lastAt: integer('last_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.address] })],
);
