import { and, asc, count, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { param, prepared } from '../../../kernel/persistence/prepared.ts';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

export type UserRow = typeof schemas.postgres.users.$inferSelect;
export type AddressRow = typeof schemas.postgres.addresses.$inferSelect;
/** What an address says, without whose it is and when it was saved. */
export type AddressFields = Pick<AddressRow, 'name' | 'line1' | 'city' | 'postalCode' | 'country'> & { line2?: string | undefined };
/** What decides whether a token still stands. */
export type SessionRow = Pick<UserRow, 'id' | 'role' | 'tokenVersion'>;

/**
 * The only place that speaks SQL for the user module, the same on both engines. The reads that run
 * per request (session check, sign-in, profile, checkout's address) are prepared (kernel
 * prepared.ts): built once per connection, then only run.
 */
export class UserStore {
  private readonly t;
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { users, addresses } = this.t;
    this.q = {
      byEmail: prepared('user_by_email', (d) => d.select().from(users).where(and(eq(users.email, param('email')), registered(users)))),
      byId: prepared('user_by_id', (d) => d.select().from(users).where(eq(users.id, param('id')))),
      session: prepared('user_session', (d) =>
        d.select({ id: users.id, role: users.role, tokenVersion: users.tokenVersion }).from(users).where(eq(users.id, param('id')))),
      address: prepared('user_address', (d) =>
        d.select().from(addresses).where(and(eq(addresses.id, param('addressId')), eq(addresses.userId, param('userId'))))),
    };
  }

  /** Runs `work` in one transaction of the user module's database (pass the `tx` to the methods that take one). */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** The registered account with this email; guests' accounts are never found by email (they never sign in). */
  async findByEmail(email: string, on: Executor = this.db): Promise<UserRow | undefined> {
    const [row] = await this.q.byEmail(on, { email });
    return row;
  }

  async findById(id: string, on: Executor = this.db): Promise<UserRow | undefined> {
    const [row] = await this.q.byId(on, { id });
    return row;
  }

  /** Runs on every authenticated request: a primary-key lookup of three columns. */
  async session(id: string): Promise<SessionRow | undefined> {
    const [row] = await this.q.session(this.db, { id });
    return row;
  }

  /** Raises the user's token version, so every token issued before stops working; answers the new version. */
  revokeTokens(id: string): Promise<number | undefined> {
    const { users } = this.t;
    return this.db.transaction(async (tx) => {
      const [row] = await tx.sql.update(users).set({ tokenVersion: sql`${users.tokenVersion} + 1` }).where(eq(users.id, id)).returning({ tokenVersion: users.tokenVersion });
      return row?.tokenVersion;
    });
  }

  /** Sets a new password hash and revokes every older token; undefined if the hash is no longer `checkedHash`. */
  changePassword(id: string, checkedHash: string, passwordHash: string): Promise<number | undefined> {
    const { users } = this.t;
    return this.db.transaction(async (tx) => {
      // Only if the hash is still the one the current password was checked against (no change raced this one).
      const [row] = await tx.sql
        .update(users)
        .set({ passwordHash, tokenVersion: sql`${users.tokenVersion} + 1` })
        .where(and(eq(users.id, id), eq(users.passwordHash, checkedHash)))
        .returning({ tokenVersion: users.tokenVersion });
      return row?.tokenVersion;
    });
  }

  /** One query for any number of ids. */
  async findByIds(ids: string[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    const { users } = this.t;
    return this.db.sql.select().from(users).where(inArray(users.id, ids));
  }

  /** Oldest first (accounts created within one millisecond: by id). */
  /**
   * Registered accounts whose email contains `emailPart` (emails are stored lower-cased), newest
   * first; every registered account without it. `%` and `_` in the part match themselves, not any text.
   */
  async find(emailPart: string | undefined, limit: number, offset: number): Promise<{ rows: UserRow[]; total: number }> {
    const { users } = this.t;
    const pattern = emailPart === undefined ? undefined : `%${emailPart.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = and(registered(users), pattern === undefined ? undefined : sql`${users.email} LIKE ${pattern} ESCAPE '\\'`);
    const rows = await this.db.sql.select().from(users).where(where).orderBy(desc(users.createdAt), asc(users.id)).limit(limit).offset(offset);
    const [counted] = await this.db.sql.select({ n: count() }).from(users).where(where);
    return { rows, total: counted?.n ?? 0 };
  }

  admins(): Promise<UserRow[]> {
    const { users } = this.t;
    return this.db.sql.select().from(users).where(eq(users.role, 'admin')).orderBy(asc(users.createdAt), asc(users.id));
  }

  async insertUser(tx: Tx, row: UserRow): Promise<void> {
    const { users } = this.t;
    await tx.sql.insert(users).values(row);
  }

  /**
   * Inserts a guest's account unless one with its key and email exists (the unique index on both
   * decides between racing calls); answers the id of the one that stands, the row's or the older one.
   */
  async insertGuest(tx: Tx, row: UserRow & { guestKey: string }): Promise<string> {
    const { users } = this.t;
    const [inserted] = await tx.sql.insert(users).values(row).onConflictDoNothing({ target: [users.guestKey, users.email] }).returning({ id: users.id });
    if (inserted) return inserted.id;
    const [existing] = await tx.sql.select({ id: users.id }).from(users).where(and(eq(users.guestKey, row.guestKey), eq(users.email, row.email)));
    if (!existing) throw new Error("user: a guest's account conflicted on insert but is not there");
    return existing.id;
  }

  /** Changes only the fields given; the others keep their values. */
  async updateUser(tx: Tx, id: string, changes: Partial<Pick<UserRow, 'name' | 'emailNotifications' | 'passwordHash' | 'role'>>): Promise<void> {
    const { users } = this.t;
    const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    if (Object.keys(given).length === 0) return;
    await tx.sql.update(users).set(given).where(eq(users.id, id));
  }

  /** In the order they were saved (saved within one millisecond: by id). */
  addresses(userId: string): Promise<AddressRow[]> {
    const { addresses } = this.t;
    return this.db.sql.select().from(addresses).where(eq(addresses.userId, userId)).orderBy(asc(addresses.createdAt), asc(addresses.id));
  }

  /** Checkout reads the delivery address through this (user's getAddress). */
  async address(userId: string, addressId: string): Promise<AddressRow | undefined> {
    const [row] = await this.q.address(this.db, { userId, addressId });
    return row;
  }

  /** The user's oldest address with exactly these fields; no second line matches a null or an empty one alike. */
  async sameAddress(tx: Tx, userId: string, fields: AddressFields): Promise<AddressRow | undefined> {
    const { addresses: a } = this.t;
    const [row] = await tx.sql
      .select()
      .from(a)
      .where(
        and(
          eq(a.userId, userId),
          eq(a.name, fields.name),
          eq(a.line1, fields.line1),
          fields.line2 ? eq(a.line2, fields.line2) : or(isNull(a.line2), eq(a.line2, '')),
          eq(a.city, fields.city),
          eq(a.postalCode, fields.postalCode),
          eq(a.country, fields.country),
        ),
      )
      .orderBy(asc(a.createdAt), asc(a.id))
      .limit(1);
    return row;
  }

  async insertAddress(tx: Tx, row: AddressRow): Promise<void> {
    const { addresses } = this.t;
    await tx.sql.insert(addresses).values(row);
  }
}

/**
 * Not a guest's account. Written as the partial unique index on email writes it (schema.ts): a bound
 * parameter here would keep both engines from proving the index applies, and sign-in would scan.
 */
const registered = (users: typeof schemas.postgres.users) => sql`${users.isGuest} = false`;
