import { AppError } from '../../../kernel/errors.ts';
import type { Executor } from '../../../kernel/persistence/sql.ts';
import type { ThrottleStore } from './throttle-store.ts';

const MINUTE = 60_000;

/**
 * How many failed sign-ins (a wrong password, or one still being checked) are allowed within the
 * window before answering 429. The reasons are in docs/security.md.
 */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * MINUTE,
  /** One account from one address: the guesser's own lock, which does not touch the owner elsewhere. */
  perAccountFromAddress: 5,
  /** One account from all addresses (guessing spread over many addresses); the owner's known addresses pass. */
  perAccount: 20,
  /** One address over all accounts (one password tried on many accounts). */
  perAddress: 30,
  /** How long an address the owner signed in from stays known. */
  knownAddressMs: 30 * 24 * 60 * MINUTE,
};

/** Registrations (whatever their outcome) allowed from one address within the window. */
export const REGISTRATION_LIMITS = { windowMs: 60 * MINUTE, perAddress: 20 };

/** A counted attempt, settled once its password has been checked (a wrong one just stays counted). */
export interface Attempt {
  /** The password was right: the attempt and the earlier failures of this account from this address are forgotten. */
  succeeded(): Promise<void>;
  /** The password could not be checked (the server was busy): the attempt does not count. */
  forgive(): Promise<void>;
}

/**
 * Counts sign-in and registration attempts BEFORE the password is hashed, in the same transaction
 * as the check, so parallel requests cannot all pass a check that none of them has counted yet.
 */
export class SignInThrottle {
  private prunedAt = 0;

  constructor(
    private readonly store: ThrottleStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a sign-in (or a password change) for `email` from `address`, or refuses it with 429. */
  async beginSignIn(email: string, address: string, userId: string | undefined): Promise<Attempt> {
    const now = this.now();
    await this.pruneNowAndThen(now);
    const id = await this.store.exclusively(async (tx) => {
      const failed = await this.store.failures(tx, email, address, now - SIGN_IN_LIMITS.windowMs);
      if (failed.fromAddress >= SIGN_IN_LIMITS.perAccountFromAddress) {
        throw rateLimited('Too many failed sign-ins for this account from your network; try again in 15 minutes');
      }
      if (!isLoopback(address) && failed.address >= SIGN_IN_LIMITS.perAddress) {
        throw rateLimited('Too many failed sign-ins from your network; try again in 15 minutes');
      }
      if (failed.account >= SIGN_IN_LIMITS.perAccount && !(await this.knownAddress(tx, userId, address, now))) {
        throw rateLimited('Too many failed sign-ins for this account; try again in 15 minutes, or from a network you have signed in from before');
      }
      return this.store.addFailure(tx, email, address, now);
    });
    return {
      succeeded: () => this.store.succeeded(email, address, userId ? { id: userId, at: this.now() } : undefined),
      forgive: () => this.store.removeFailure(id),
    };
  }

  /** Counts a registration from `address`, or refuses it with 429. */
  async beginRegistration(address: string): Promise<Pick<Attempt, 'forgive'>> {
    const now = this.now();
    await this.pruneNowAndThen(now);
    const id = await this.store.exclusively(async (tx) => {
      if (!isLoopback(address) && (await this.store.registrations(tx, address, now - REGISTRATION_LIMITS.windowMs)) >= REGISTRATION_LIMITS.perAddress) {
        throw rateLimited('Too many accounts created from your network; try again in an hour');
      }
      return this.store.addRegistration(tx, address, now);
    });
    return { forgive: () => this.store.removeRegistration(id) };
  }

  private async knownAddress(on: Executor, userId: string | undefined, address: string, now: number): Promise<boolean> {
    return userId !== undefined && (await this.store.isKnownAddress(on, userId, address, now - SIGN_IN_LIMITS.knownAddressMs));
  }

  private async pruneNowAndThen(now: number): Promise<void> {
    if (now - this.prunedAt < MINUTE) return;
    this.prunedAt = now;
    await this.store.prune({
      failures: now - SIGN_IN_LIMITS.windowMs,
      registrations: now - REGISTRATION_LIMITS.windowMs,
      addresses: now - SIGN_IN_LIMITS.knownAddressMs,
    });
  }
}

const rateLimited = (message: string) => new AppError('rate_limited', message);

/**
 * A peer on this host itself (tests, the benchmark, operator scripts) is spared the limits per
 * address, not those per account. A proxy on this host is trusted to name the client
 * (X-Forwarded-For, the kernel's `trust proxy`), so its clients keep their own addresses.
 */
function isLoopback(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}
