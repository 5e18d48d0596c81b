import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { addresses, users } from './schema.ts';
import { param as p, inJsonArray } from '../../../kernel/persistence/statements.ts';

export type UserRow = typeof users.$inferSelect;
export type AddressRow = typeof addresses.$inferSelect;
/** What decides whether a token still stands. */
export type SessionRow = Pick<UserRow, 'id' | 'role' | 'tokenVersion'>;

/** A partial update in one statement: a column whose value is bound as null keeps what it had. */
const orKeep = (name: string, column: typeof users.name | typeof users.passwordHash | typeof users.role | typeof users.emailNotifications) =>
  sql`coalesce(${p(name)}, ${column})`;

/** The only place that speaks SQL for the user module. Statements are prepared once, at start. */
export class UserStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const nextVersion = sql`${users.tokenVersion} + 1`;
    this.q = {
      byEmail: db.select().from(users).where(eq(users.email, p('email'))).prepare(),
      byId: db.select().from(users).where(eq(users.id, p('id'))).prepare(),
      // One statement for any number of ids: they travel as one JSON array.
      // Runs on every authenticated request: a primary-key lookup of three columns.
      session: db.select({ id: users.id, role: users.role, tokenVersion: users.tokenVersion }).from(users).where(eq(users.id, p('id'))).prepare(),
      revokeTokens: db.update(users).set({ tokenVersion: nextVersion }).where(eq(users.id, p('id'))).returning({ tokenVersion: users.tokenVersion }).prepare(),
      // Only if the hash is still the one the current password was checked against (no change raced this one).
      changePassword: db.update(users).set({ passwordHash: sql`${p('passwordHash')}`, tokenVersion: nextVersion })
        .where(and(eq(users.id, p('id')), eq(users.passwordHash, p('checkedHash')))).returning({ tokenVersion: users.tokenVersion }).prepare(),
      byIds: db.select().from(users).where(inJsonArray(users.id, 'ids')).prepare(),
      admins: db.select().from(users).where(eq(users.role, 'admin')).orderBy(asc(users.createdAt)).prepare(),
      insertUser: db.insert(users).values({
        id: p('id'), email: p('email'), name: p('name'), passwordHash: p('passwordHash'), role: p('role'),
        emailNotifications: p('emailNotifications'), createdAt: p('createdAt'),
      }).prepare(),
      updateUser: db.update(users).set({
        name: orKeep('name', users.name),
        emailNotifications: orKeep('emailNotifications', users.emailNotifications),
        passwordHash: orKeep('passwordHash', users.passwordHash),
        role: orKeep('role', users.role),
      }).where(eq(users.id, p('id'))).prepare(),
      addresses: db.select().from(addresses).where(eq(addresses.userId, p('userId'))).orderBy(asc(addresses.createdAt), asc(addresses.id)).prepare(),
      address: db.select().from(addresses).where(and(eq(addresses.id, p('addressId')), eq(addresses.userId, p('userId')))).prepare(),
      insertAddress: db.insert(addresses).values({
        id: p('id'), userId: p('userId'), name: p('name'), line1: p('line1'), line2: p('line2'), city: p('city'),
        postalCode: p('postalCode'), country: p('country'), createdAt: p('createdAt'),
      }).prepare(),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work());
  }

  findByEmail(email: string): UserRow | undefined {
    return this.q.byEmail.get({ email });
  }

  findById(id: string): UserRow | undefined {
    return this.q.byId.get({ id });
  }

  session(id: string): SessionRow | undefined {
    return this.q.session.get({ id });
  }

  /** Raises the user's token version, so every token issued before stops working; answers the new version. */
  revokeTokens(id: string): number | undefined {
    return this.q.revokeTokens.get({ id })?.tokenVersion;
  }

  /** Sets a new password hash and revokes every older token; undefined if the hash is no longer `checkedHash`. */
  changePassword(id: string, checkedHash: string, passwordHash: string): number | undefined {
    return this.q.changePassword.get({ id, checkedHash, passwordHash })?.tokenVersion;
  }

  findByIds(ids: string[]): UserRow[] {
    return ids.length ? this.q.byIds.all({ ids: JSON.stringify(ids) }) : [];
  }

  admins(): UserRow[] {
    return this.q.admins.all();
  }

  insertUser(row: UserRow): void {
    this.q.insertUser.run({
      id: row.id, email: row.email, name: row.name, passwordHash: row.passwordHash, role: row.role,
      emailNotifications: row.emailNotifications, createdAt: row.createdAt,
    });
  }

  /** Changes only the fields given; the others keep their values. */
  updateUser(id: string, changes: Partial<Pick<UserRow, 'name' | 'emailNotifications' | 'passwordHash' | 'role'>>): void {
    const { name, emailNotifications, passwordHash, role } = changes;
    this.q.updateUser.run({
      id,
      name: name ?? null,
      // Bound raw (inside coalesce), so the boolean is stored as SQLite's 1/0 here.
      emailNotifications: emailNotifications === undefined ? null : emailNotifications ? 1 : 0,
      passwordHash: passwordHash ?? null,
      role: role ?? null,
    });
  }

  addresses(userId: string): AddressRow[] {
    return this.q.addresses.all({ userId });
  }

  address(userId: string, addressId: string): AddressRow | undefined {
    return this.q.address.get({ userId, addressId });
  }

  insertAddress(row: AddressRow): void {
    this.q.insertAddress.run({
      id: row.id, userId: row.userId, name: row.name, line1: row.line1, line2: row.line2 ?? null, city: row.city,
      postalCode: row.postalCode, country: row.country, createdAt: row.createdAt,
    });
  }
}
