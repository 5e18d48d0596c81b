import { and, count, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Executor, ModuleDb, Tx } from '../../../kernel/persistence/sql.ts';
import { schemas } from './tables.ts';

/** Failed (or still unchecked) sign-ins within a window, counted three ways at once. */
export interface FailureCounts {
  /** For this email from this address. */
  fromAddress: number;
  /** For this email from any address. */
  account: number;
  /** From this address for any email. */
  address: number;
}

/** Rows for which `condition` holds (standard SQL, the same on both engines). */
const countWhere = (condition: SQL | undefined) => count(sql`CASE WHEN ${condition} THEN 1 END`);

/** The only place that speaks SQL for the sign-in and registration throttles, the same on both engines. */
export class ThrottleStore {
  private readonly t;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
  }

  /**
   * Runs a check-then-count as one write transaction, so replicas sharing the database cannot both
   * pass the check before either counts: the module's transactions run one at a time (BEGIN
   * IMMEDIATE on SQLite, the module's advisory lock on PostgreSQL).
   */
  exclusively<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** One pass over the rows of the email and of the address (both indexed) within the window. */
  async failures(on: Executor, email: string, address: string, since: number): Promise<FailureCounts> {
    const { loginFailures } = this.t;
    const ofEmail = eq(loginFailures.email, email);
    const ofAddress = eq(loginFailures.address, address);
    const [row] = await on.sql
      .select({ fromAddress: countWhere(and(ofEmail, ofAddress)), account: countWhere(ofEmail), address: countWhere(ofAddress) })
      .from(loginFailures)
      .where(and(gte(loginFailures.at, since), or(ofEmail, ofAddress)));
    return { fromAddress: row?.fromAddress ?? 0, account: row?.account ?? 0, address: row?.address ?? 0 };
  }

  async addFailure(tx: Tx, email: string, address: string, at: number): Promise<number> {
    const { loginFailures } = this.t;
    const [row] = await tx.sql.insert(loginFailures).values({ email, address, at }).returning({ id: loginFailures.id });
    return row!.id;
  }

  async removeFailure(id: number): Promise<void> {
    const { loginFailures } = this.t;
    await this.db.transaction((tx) => tx.sql.delete(loginFailures).where(eq(loginFailures.id, id)));
  }

  /** Forgets the failures of this email from this address, and remembers the address as the user's (when known). */
  async succeeded(email: string, address: string, user: { id: string; at: number } | undefined): Promise<void> {
    const { loginFailures, signInAddresses } = this.t;
    await this.db.transaction(async (tx) => {
      await tx.sql.delete(loginFailures).where(and(eq(loginFailures.email, email), eq(loginFailures.address, address)));
      if (!user) return;
      await tx.sql
        .insert(signInAddresses)
        .values({ userId: user.id, address, lastAt: user.at })
        .onConflictDoUpdate({ target: [signInAddresses.userId, signInAddresses.address], set: { lastAt: sql`excluded.last_at` } });
    });
  }

  async isKnownAddress(on: Executor, userId: string, address: string, since: number): Promise<boolean> {
    const { signInAddresses } = this.t;
    const [row] = await on.sql
      .select({ lastAt: signInAddresses.lastAt })
      .from(signInAddresses)
      .where(and(eq(signInAddresses.userId, userId), eq(signInAddresses.address, address), gte(signInAddresses.lastAt, since)))
      .limit(1);
    return row !== undefined;
  }

  async registrations(on: Executor, address: string, since: number): Promise<number> {
    const { registrationAttempts } = this.t;
    const [row] = await on.sql
      .select({ n: count() })
      .from(registrationAttempts)
      .where(and(eq(registrationAttempts.address, address), gte(registrationAttempts.at, since)));
    return row?.n ?? 0;
  }

  async addRegistration(tx: Tx, address: string, at: number): Promise<number> {
    const { registrationAttempts } = this.t;
    const [row] = await tx.sql.insert(registrationAttempts).values({ address, at }).returning({ id: registrationAttempts.id });
    return row!.id;
  }

  async removeRegistration(id: number): Promise<void> {
    const { registrationAttempts } = this.t;
    await this.db.transaction((tx) => tx.sql.delete(registrationAttempts).where(eq(registrationAttempts.id, id)));
  }

  /** Forgets what no limit looks at any more. */
  async prune(before: { failures: number; registrations: number; addresses: number }): Promise<void> {
    const { loginFailures, registrationAttempts, signInAddresses } = this.t;
    await this.db.transaction(async (tx) => {
      await tx.sql.delete(loginFailures).where(lt(loginFailures.at, before.failures));
      await tx.sql.delete(registrationAttempts).where(lt(registrationAttempts.at, before.registrations));
      await tx.sql.delete(signInAddresses).where(lt(signInAddresses.lastAt, before.addresses));
    });
  }
}
