import { and, count, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import { param, prepared } from '../../../kernel/persistence/prepared.ts';
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

/**
 * The only place that speaks SQL for the sign-in and registration throttles, the same on both
 * engines. The queries of each sign-in and registration are prepared (kernel prepared.ts): built
 * once per connection, then only run.
 */
export class ThrottleStore {
  private readonly t;
  private readonly q;

  constructor(private readonly db: ModuleDb) {
    this.t = db.tables(schemas);
    const { loginFailures, registrationAttempts, signInAddresses } = this.t;
    const ofEmail = eq(loginFailures.email, param('email'));
    const ofAddress = eq(loginFailures.address, param('address'));
    this.q = {
      failures: prepared('user_throttle_failures', (d) =>
        d
          .select({ fromAddress: countWhere(and(ofEmail, ofAddress)), account: countWhere(ofEmail), address: countWhere(ofAddress) })
          .from(loginFailures)
          .where(and(gte(loginFailures.at, param('since')), or(ofEmail, ofAddress)))),
      addFailure: prepared('user_throttle_add_failure', (d) =>
        d.insert(loginFailures).values({ email: param('email'), address: param('address'), at: param('at') }).returning({ id: loginFailures.id })),
      removeFailure: prepared('user_throttle_remove_failure', (d) => d.delete(loginFailures).where(eq(loginFailures.id, param('id')))),
      forgetFailures: prepared('user_throttle_forget_failures', (d) => d.delete(loginFailures).where(and(ofEmail, ofAddress))),
      rememberAddress: prepared('user_throttle_remember_address', (d) =>
        d
          .insert(signInAddresses)
          .values({ userId: param('userId'), address: param('address'), lastAt: param('lastAt') })
          .onConflictDoUpdate({ target: [signInAddresses.userId, signInAddresses.address], set: { lastAt: sql`excluded.last_at` } })),
      knownAddress: prepared('user_throttle_known_address', (d) =>
        d
          .select({ lastAt: signInAddresses.lastAt })
          .from(signInAddresses)
          .where(and(eq(signInAddresses.userId, param('userId')), eq(signInAddresses.address, param('address')), gte(signInAddresses.lastAt, param('since'))))),
      registrations: prepared('user_throttle_registrations', (d) =>
        d
          .select({ n: count() })
          .from(registrationAttempts)
          .where(and(eq(registrationAttempts.address, param('address')), gte(registrationAttempts.at, param('since'))))),
      addRegistration: prepared('user_throttle_add_registration', (d) =>
        d.insert(registrationAttempts).values({ address: param('address'), at: param('at') }).returning({ id: registrationAttempts.id })),
      removeRegistration: prepared('user_throttle_remove_registration', (d) =>
        d.delete(registrationAttempts).where(eq(registrationAttempts.id, param('id')))),
    };
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
    const [row] = await this.q.failures(on, { email, address, since });
    return { fromAddress: row?.fromAddress ?? 0, account: row?.account ?? 0, address: row?.address ?? 0 };
  }

  async addFailure(tx: Tx, email: string, address: string, at: number): Promise<number> {
    const [row] = await this.q.addFailure(tx, { email, address, at });
    return row!.id;
  }

  async removeFailure(id: number): Promise<void> {
    await this.db.transaction((tx) => this.q.removeFailure(tx, { id }));
  }

  /** Forgets the failures of this email from this address, and remembers the address as the user's (when known). */
  async succeeded(email: string, address: string, user: { id: string; at: number } | undefined): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.q.forgetFailures(tx, { email, address });
      if (!user) return;
      await this.q.rememberAddress(tx, { userId: user.id, address, lastAt: user.at });
    });
  }

  async isKnownAddress(on: Executor, userId: string, address: string, since: number): Promise<boolean> {
    const [row] = await this.q.knownAddress(on, { userId, address, since });
    return row !== undefined;
  }

  async registrations(on: Executor, address: string, since: number): Promise<number> {
    const [row] = await this.q.registrations(on, { address, since });
    return row?.n ?? 0;
  }

  async addRegistration(tx: Tx, address: string, at: number): Promise<number> {
    const [row] = await this.q.addRegistration(tx, { address, at });
    return row!.id;
  }

  async removeRegistration(id: number): Promise<void> {
    await this.db.transaction((tx) => this.q.removeRegistration(tx, { id }));
  }

  /** Forgets what no limit looks at any more (at most once a minute: built per call). */
  async prune(before: { failures: number; registrations: number; addresses: number }): Promise<void> {
    const { loginFailures, registrationAttempts, signInAddresses } = this.t;
    await this.db.transaction(async (tx) => {
      await tx.sql.delete(loginFailures).where(lt(loginFailures.at, before.failures));
      await tx.sql.delete(registrationAttempts).where(lt(registrationAttempts.at, before.registrations));
      await tx.sql.delete(signInAddresses).where(lt(signInAddresses.lastAt, before.addresses));
    });
  }
}
