import { and, asc, count, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { addresses, loginFailures, users } from './schema.ts';

export type UserRow = typeof users.$inferSelect;
export type AddressRow = typeof addresses.$inferSelect;

/** The only place that speaks SQL for the user module. */
export class UserStore {
  constructor(private readonly db: Db) {}

  transaction<T>(work: () => T): T {
    return this.db.transaction(() => work());
  }

  findByEmail(email: string): UserRow | undefined {
    return this.db.select().from(users).where(eq(users.email, email)).get();
  }

  findById(id: string): UserRow | undefined {
    return this.db.select().from(users).where(eq(users.id, id)).get();
  }

  findByIds(ids: string[]): UserRow[] {
    return ids.length ? this.db.select().from(users).where(inArray(users.id, ids)).all() : [];
  }

  admins(): UserRow[] {
    return this.db.select().from(users).where(eq(users.role, 'admin')).orderBy(asc(users.createdAt)).all();
  }

  insertUser(row: UserRow): void {
    this.db.insert(users).values(row).run();
  }

  updateUser(id: string, changes: Partial<Pick<UserRow, 'name' | 'emailNotifications' | 'passwordHash' | 'role'>>): void {
    this.db.update(users).set(changes).where(eq(users.id, id)).run();
  }

  addresses(userId: string): AddressRow[] {
    return this.db.select().from(addresses).where(eq(addresses.userId, userId)).orderBy(asc(addresses.createdAt), asc(addresses.id)).all();
  }

  address(userId: string, addressId: string): AddressRow | undefined {
    return this.db.select().from(addresses).where(and(eq(addresses.id, addressId), eq(addresses.userId, userId))).get();
  }

  insertAddress(row: AddressRow): void {
    this.db.insert(addresses).values(row).run();
  }

  recentFailures(email: string, since: number): number {
    return this.db.select({ n: count() }).from(loginFailures).where(and(eq(loginFailures.email, email), gte(loginFailures.at, since))).get()?.n ?? 0;
  }

  recordFailure(email: string, at: number): void {
    this.db.insert(loginFailures).values({ email, at }).run();
  }

  clearFailures(email: string, before: number = Number.MAX_SAFE_INTEGER): void {
    this.db.delete(loginFailures).where(and(eq(loginFailures.email, email), lt(loginFailures.at, before))).run();
  }
}
