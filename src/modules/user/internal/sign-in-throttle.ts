import { AppError } from '../../../kernel/errors.ts';
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
  succeeded(): void;
  /** The password could not be checked (the server was busy): the attempt does not count. */
  forgive(): void;
}

/**
 * Counts sign-in and registration attempts BEFORE the password is hashed, in the same synchronous
 * step as the check, so parallel requests cannot all pass a check that none of them has counted yet.
 */
export class SignInThrottle {
  private prunedAt = 0;

  constructor(
    private readonly store: ThrottleStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a sign-in (or a password change) for `email` from `address`, or refuses it with 429. */
  beginSignIn(email: string, address: string, userId: string | undefined): Attempt {
    const now = this.now();
    this.pruneNowAndThen(now);
    const id = this.store.exclusively(() => {
      const failed = this.store.failures(email, address, now - SIGN_IN_LIMITS.windowMs);
      if (failed.fromAddress >= SIGN_IN_LIMITS.perAccountFromAddress) {
        throw rateLimited('Too many failed sign-ins for this account from your network; try again in 15 minutes');
      }
      if (!isLoopback(address) && failed.address >= SIGN_IN_LIMITS.perAddress) {
        throw rateLimited('Too many failed sign-ins from your network; try again in 15 minutes');
      }
      if (failed.account >= SIGN_IN_LIMITS.perAccount && !this.knownAddress(userId, address, now)) {
        throw rateLimited('Too many failed sign-ins for this account; try again in 15 minutes, or from a network you have signed in from before');
      }
      return this.store.addFailure(email, address, now);
    });
    return {
      succeeded: () => {
        this.store.clearFailures(email, address);
        if (userId) this.store.rememberAddress(userId, address, this.now());
      },
      forgive: () => this.store.removeFailure(id),
    };
  }

  /** Counts a registration from `address`, or refuses it with 429. */
  beginRegistration(address: string): Pick<Attempt, 'forgive'> {
    const now = this.now();
    this.pruneNowAndThen(now);
    const id = this.store.exclusively(() => {
      if (!isLoopback(address) && this.store.registrations(address, now - REGISTRATION_LIMITS.windowMs) >= REGISTRATION_LIMITS.perAddress) {
        throw rateLimited('Too many accounts created from your network; try again in an hour');
      }
      return this.store.addRegistration(address, now);
    });
    return { forgive: () => this.store.removeRegistration(id) };
  }

  private knownAddress(userId: string | undefined, address: string, now: number): boolean {
    return userId !== undefined && this.store.isKnownAddress(userId, address, now - SIGN_IN_LIMITS.knownAddressMs);
  }

  private pruneNowAndThen(now: number): void {
    if (now - this.prunedAt < MINUTE) return;
    this.prunedAt = now;
    this.store.prune({
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
