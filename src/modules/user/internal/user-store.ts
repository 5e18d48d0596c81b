import { and, asc, count, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { addresses, loginFailures, users } from './schema.ts';
import { param as p, inJsonArray } from '../../../kernel/persistence/statements.ts';

export type UserRow = typeof users.$inferSelect;
export type AddressRow = typeof addresses.$inferSelect;

/** A partial update in one statement: a column whose value is bound as null keeps what it had. */
const orKeep = (name: string, column: typeof users.name | typeof users.passwordHash | typeof users.role | typeof users.emailNotifications) =>
  sql`coalesce(${p(name)}, ${column})`;

/** The only place that speaks SQL for the user module. Statements are prepared once, at start. */
export class UserStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const byEmail = eq(loginFailures.email, p('email'));
    this.q = {
      byEmail: db.select().from(users).where(eq(users.email, p('email'))).prepare(),
      byId: db.select().from(users).where(eq(users.id, p('id'))).prepare(),
      // One statement for any number of ids: they travel as one JSON array.
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
      recentFailures: db.select({ n: count() }).from(loginFailures).where(and(byEmail, gte(loginFailures.at, p('since')))).prepare(),
      recordFailure: db.insert(loginFailures).values({ email: p('email'), at: p('at') }).prepare(),
      clearFailures: db.delete(loginFailures).where(and(byEmail, lt(loginFailures.at, p('before')))).prepare(),
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

  recentFailures(email: string, since: number): number {
    return this.q.recentFailures.get({ email, since })?.n ?? 0;
  }

  recordFailure(email: string, at: number): void {
    this.q.recordFailure.run({ email, at });
  }

  clearFailures(email: string, before: number = Number.MAX_SAFE_INTEGER): void {
    this.q.clearFailures.run({ email, before });
  }
}
