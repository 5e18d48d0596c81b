import { randomUUID } from 'node:crypto';
import type { Implementation } from '../../../kernel/contract.ts';
import { AppError, conflict, notFound } from '../../../kernel/errors.ts';
import type { Outbox } from '../../../kernel/events/outbox.ts';
import type { TokenService } from '../../../kernel/http/tokens.ts';
import { userContract, type Address, type PublicUser, type UserContract } from '../contract.ts';
import type { PasswordHasher } from './passwords.ts';
import type { AddressRow, UserRow, UserStore } from './user-store.ts';

/** Sign-in attempts allowed per email within the window before answering 429. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60 * 1000;

/** The user module's use cases; each public method is one call of its contract. */
export class UserService implements Implementation<UserContract> {
  constructor(
    private readonly store: UserStore,
    private readonly passwords: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly outbox: Outbox,
  ) {}

  async register(input: { email: string; password: string; name: string }) {
    const user = await this.createUser(input.email, input.password, input.name, 'customer');
    return { user: toPublic(user), token: await this.tokens.issue({ id: user.id, role: user.role }) };
  }

  /** Creates an account (also used to create the configured admin). */
  async createUser(email: string, password: string, name: string, role: UserRow['role']): Promise<UserRow> {
    const normalised = email.trim().toLowerCase();
    if (this.store.findByEmail(normalised)) throw conflict('An account with this email already exists');
    const row: UserRow = {
      id: randomUUID(),
      email: normalised,
      name,
      role,
      passwordHash: await this.passwords.hash(password),
      emailNotifications: true,
      createdAt: new Date().toISOString(),
    };
    this.store.transaction(() => {
      // Re-checked inside the transaction: two registrations may have raced past the first check.
      if (this.store.findByEmail(normalised)) throw conflict('An account with this email already exists');
      this.store.insertUser(row);
      this.outbox.publish(userContract.events.registered, { userId: row.id, email: row.email, name: row.name, role: row.role }, { key: row.id });
    });
    return row;
  }

  async login(input: { email: string; password: string }) {
    const email = input.email.trim().toLowerCase();
    const now = Date.now();
    if (this.store.recentFailures(email, now - FAILURE_WINDOW_MS) >= MAX_FAILURES) {
      throw new AppError('rate_limited', 'Too many failed sign-ins for this account; try again in 15 minutes');
    }
    const user = this.store.findByEmail(email);
    const ok = user ? await this.passwords.verify(input.password, user.passwordHash) : await this.passwords.verifyAgainstNothing(input.password);
    if (!user || !ok) {
      this.store.recordFailure(email, now);
      throw new AppError('unauthorized', 'Email or password is wrong');
    }
    this.store.clearFailures(email);
    return { user: toPublic(user), token: await this.tokens.issue({ id: user.id, role: user.role }) };
  }

  getUser({ userId }: { userId: string }): PublicUser {
    const user = this.store.findById(userId);
    if (!user) throw notFound('User');
    return toPublic(user);
  }

  getUsers({ userIds }: { userIds: string[] }) {
    return { items: this.store.findByIds([...new Set(userIds)]).map(toPublic) };
  }

  updateProfile(input: { userId: string; name?: string; preferences?: { emailNotifications?: boolean } }): PublicUser {
    const user = this.store.findById(input.userId);
    if (!user) throw notFound('User');
    const emailNotifications = input.preferences?.emailNotifications;
    this.store.transaction(() => {
      this.store.updateUser(user.id, { name: input.name ?? user.name, emailNotifications: emailNotifications ?? user.emailNotifications });
      if (emailNotifications !== undefined && emailNotifications !== user.emailNotifications) {
        this.outbox.publish(userContract.events.preferences_changed, { userId: user.id, emailNotifications }, { key: user.id });
      }
    });
    return this.getUser({ userId: user.id });
  }

  listAddresses({ userId }: { userId: string }) {
    const items = this.store.addresses(userId).map(toAddress);
    return { items, total: items.length };
  }

  addAddress({ userId, address }: { userId: string; address: Omit<Address, 'id' | 'createdAt'> }): Address {
    if (!this.store.findById(userId)) throw notFound('User');
    const row: AddressRow = { id: randomUUID(), userId, ...address, line2: address.line2 ?? null, createdAt: new Date().toISOString() };
    this.store.insertAddress(row);
    return toAddress(row);
  }

  getAddress({ userId, addressId }: { userId: string; addressId: string }): Address {
    const row = this.store.address(userId, addressId);
    if (!row) throw notFound('Address');
    return toAddress(row);
  }

  listAdmins() {
    return { items: this.store.admins().map(toPublic) };
  }
}

function toPublic(user: UserRow): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    preferences: { emailNotifications: user.emailNotifications },
    createdAt: user.createdAt,
  };
}

function toAddress(row: AddressRow): Address {
  const { userId: _owner, line2, ...rest } = row;
  return { ...rest, ...(line2 ? { line2 } : {}) };
}
