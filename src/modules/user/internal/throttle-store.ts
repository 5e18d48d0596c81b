import { and, count, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../kernel/persistence/database.ts';
import { param as p } from '../../../kernel/persistence/statements.ts';
import { loginFailures, registrationAttempts, signInAddresses } from './schema.ts';

/** Failed (or still unchecked) sign-ins within a window, counted three ways at once. */
export interface FailureCounts {
  /** For this email from this address. */
  fromAddress: number;
  /** For this email from any address. */
  account: number;
  /** From this address for any email. */
  address: number;
}

/** The only place that speaks SQL for the sign-in and registration throttles. Statements are prepared once. */
export class ThrottleStore {
  private readonly q;

  constructor(private readonly db: Db) {
    const email = sql`${loginFailures.email} = ${p('email')}`;
    const address = sql`${loginFailures.address} = ${p('address')}`;
    this.q = {
      // One pass over the rows of the email and of the address (both indexed) within the window.
      failures: db.select({
        fromAddress: sql<number>`coalesce(sum(${email} and ${address}), 0)`,
        account: sql<number>`coalesce(sum(${email}), 0)`,
        address: sql<number>`coalesce(sum(${address}), 0)`,
      }).from(loginFailures).where(and(gte(loginFailures.at, p('since')), sql`(${email} or ${address})`)).prepare(),
      addFailure: db.insert(loginFailures).values({ email: p('email'), address: p('address'), at: p('at') }).returning({ id: loginFailures.id }).prepare(),
      removeFailure: db.delete(loginFailures).where(eq(loginFailures.id, p('id'))).prepare(),
      clearFailures: db.delete(loginFailures).where(and(eq(loginFailures.email, p('email')), eq(loginFailures.address, p('address')))).prepare(),
      knownAddress: db.select({ lastAt: signInAddresses.lastAt }).from(signInAddresses)
        .where(and(eq(signInAddresses.userId, p('userId')), eq(signInAddresses.address, p('address')), gte(signInAddresses.lastAt, p('since')))).prepare(),
      rememberAddress: db.insert(signInAddresses).values({ userId: p('userId'), address: p('address'), lastAt: p('at') })
        .onConflictDoUpdate({ target: [signInAddresses.userId, signInAddresses.address], set: { lastAt: sql`excluded.last_at` } }).prepare(),
      registrations: db.select({ n: count() }).from(registrationAttempts)
        .where(and(eq(registrationAttempts.address, p('address')), gte(registrationAttempts.at, p('since')))).prepare(),
      addRegistration: db.insert(registrationAttempts).values({ address: p('address'), at: p('at') }).returning({ id: registrationAttempts.id }).prepare(),
      removeRegistration: db.delete(registrationAttempts).where(eq(registrationAttempts.id, p('id'))).prepare(),
      pruneFailures: db.delete(loginFailures).where(lt(loginFailures.at, p('before'))).prepare(),
      pruneRegistrations: db.delete(registrationAttempts).where(lt(registrationAttempts.at, p('before'))).prepare(),
      pruneAddresses: db.delete(signInAddresses).where(lt(signInAddresses.lastAt, p('before'))).prepare(),
    };
  }

  /**
   * Runs a check-then-count as one write transaction taken up front, so replicas sharing the
   * database file cannot both pass the check before either counts.
   */
  exclusively<T>(work: () => T): T {
    return this.db.transaction(() => work(), { behavior: 'immediate' });
  }

  failures(email: string, address: string, since: number): FailureCounts {
    const row = this.q.failures.get({ email, address, since });
    return { fromAddress: row?.fromAddress ?? 0, account: row?.account ?? 0, address: row?.address ?? 0 };
  }

  addFailure(email: string, address: string, at: number): number {
    return this.q.addFailure.get({ email, address, at })!.id;
  }

  removeFailure(id: number): void {
    this.q.removeFailure.run({ id });
  }

  clearFailures(email: string, address: string): void {
    this.q.clearFailures.run({ email, address });
  }

  isKnownAddress(userId: string, address: string, since: number): boolean {
    return this.q.knownAddress.get({ userId, address, since }) !== undefined;
  }

  rememberAddress(userId: string, address: string, at: number): void {
    this.q.rememberAddress.run({ userId, address, at });
  }

  registrations(address: string, since: number): number {
    return this.q.registrations.get({ address, since })?.n ?? 0;
  }

  addRegistration(address: string, at: number): number {
    return this.q.addRegistration.get({ address, at })!.id;
  }

  removeRegistration(id: number): void {
    this.q.removeRegistration.run({ id });
  }

  /** Forgets what no limit looks at any more. */
  prune(before: { failures: number; registrations: number; addresses: number }): void {
    this.q.pruneFailures.run({ before: before.failures });
    this.q.pruneRegistrations.run({ before: before.registrations });
    this.q.pruneAddresses.run({ before: before.addresses });
  }
}
