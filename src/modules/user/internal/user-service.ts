import { randomUUID } from 'node:crypto';
import type { Implementation } from '../../../kernel/contract.ts';
import { AppError, conflict, notFound, unauthorized } from '../../../kernel/errors.ts';
import type { TokenService } from '../../../kernel/http/tokens.ts';
import { userContract, type Address, type PublicUser, type UserContract } from '../contract.ts';
import type { PasswordHasher } from './passwords.ts';
import type { Attempt, SignInThrottle } from './sign-in-throttle.ts';
import type { AddressFields, AddressRow, UserRow, UserStore } from './user-store.ts';

/** The user module's use cases; each public method is one call of its contract. */
export class UserService implements Implementation<UserContract> {
  constructor(
    private readonly store: UserStore,
    private readonly passwords: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly throttle: SignInThrottle,
  ) {}

  async register(input: { email: string; password: string; name: string; clientAddress: string }) {
    const attempt = await this.throttle.beginRegistration(input.clientAddress);
    const user = await forgivenIfBusy(attempt, () => this.createUser(input.email, input.password, input.name, 'customer'));
    return { user: toPublic(user), token: await this.issueToken(user) };
  }

  /** Creates an account (also used to create the configured admin). */
  async createUser(email: string, password: string, name: string, role: UserRow['role']): Promise<UserRow> {
    const normalised = normaliseEmail(email);
    if (await this.store.findByEmail(normalised)) throw conflict('An account with this email already exists');
    const row: UserRow = {
      id: randomUUID(),
      email: normalised,
      name,
      role,
      passwordHash: await this.passwords.hash(password),
      emailNotifications: true,
      createdAt: new Date().toISOString(),
      tokenVersion: 0,
      isGuest: false,
      guestKey: null,
    };
    await this.store.transaction(async (tx) => {
      // Re-checked inside the transaction: two registrations may have raced past the first check.
      if (await this.store.findByEmail(normalised, tx)) throw conflict('An account with this email already exists');
      await this.store.insertUser(tx, row);
      await tx.publish(userContract.events.registered, { userId: row.id, email: row.email, name: row.name, role: row.role }, { key: row.id });
    });
    return row;
  }

  /**
   * One account per guest checkout session and email, not per email: the guest is not
   * authenticated, so sharing one account per email would let anyone who types an email join the
   * orders and addresses of whoever checked out with it before. The key is the caller's secret for
   * one visitor's session, so a repeat under it (a form sent twice, a retry after a lost answer)
   * is that visitor again, and gets the account the first attempt made. Not throttled per address
   * as register is: a shop's guests may all come through one proxy, and no password is hashed
   * here. Nothing is announced (`registered` means a registration); notices still reach the
   * guest's email, as the notification module looks up a recipient it has not heard of.
   */
  async createGuest({ email, name, guestKey }: { email: string; name: string; guestKey: string }) {
    const row: UserRow & { guestKey: string } = {
      id: randomUUID(),
      email: normaliseEmail(email),
      name,
      role: 'customer',
      // No hash at all: no password matches it, and sign-in never looks a guest up anyway.
      passwordHash: '',
      emailNotifications: true,
      createdAt: new Date().toISOString(),
      tokenVersion: 0,
      isGuest: true,
      guestKey,
    };
    return { userId: await this.store.transaction((tx) => this.store.insertGuest(tx, row)) };
  }

  async login(input: { email: string; password: string; clientAddress: string }) {
    const email = normaliseEmail(input.email);
    const user = await this.store.findByEmail(email);
    // Counted before the hash, so parallel guesses cannot all pass the limit.
    const attempt = await this.throttle.beginSignIn(email, input.clientAddress, user?.id);
    const ok = await forgivenIfBusy(attempt, () =>
      user ? this.passwords.verify(input.password, user.passwordHash) : this.passwords.verifyAgainstNothing(input.password));
    if (!user || !ok) throw unauthorized('Email or password is wrong');
    await attempt.succeeded();
    // The token carries the version read with the hash just checked: a logout or password change meanwhile voids it.
    return { user: toPublic(user), token: await this.issueToken(user) };
  }

  async checkSession({ userId, tokenVersion }: { userId: string; tokenVersion: number }) {
    const session = await this.store.session(userId);
    if (!session || session.tokenVersion !== tokenVersion) throw unauthorized('Token revoked: log in again');
    return { id: session.id, role: session.role };
  }

  async logout({ userId }: { userId: string }) {
    if ((await this.store.revokeTokens(userId)) === undefined) throw notFound('User');
    return {};
  }

  async changePassword(input: { userId: string; currentPassword: string; newPassword: string; clientAddress: string }) {
    const user = await this.store.findById(input.userId);
    if (!user) throw notFound('User');
    const attempt = await this.throttle.beginSignIn(user.email, input.clientAddress, user.id);
    const ok = await forgivenIfBusy(attempt, () => this.passwords.verify(input.currentPassword, user.passwordHash));
    if (!ok) throw unauthorized('The current password is wrong');
    await attempt.succeeded();
    const tokenVersion = await this.store.changePassword(user.id, user.passwordHash, await this.passwords.hash(input.newPassword));
    if (tokenVersion === undefined) throw conflict('The password was changed meanwhile; sign in again with the new one');
    return { token: await this.tokens.issue({ id: user.id, role: user.role, version: tokenVersion }) };
  }

  async getUser({ userId }: { userId: string }): Promise<PublicUser> {
    const user = await this.store.findById(userId);
    if (!user) throw notFound('User');
    return toPublic(user);
  }

  async getUsers({ userIds }: { userIds: string[] }) {
    return { items: (await this.store.findByIds([...new Set(userIds)])).map(toPublic) };
  }

  async updateProfile(input: { userId: string; name?: string; preferences?: { emailNotifications?: boolean } }): Promise<PublicUser> {
    const emailNotifications = input.preferences?.emailNotifications;
    // Read in the transaction that writes: the preference compared is still the stored one when it changes.
    await this.store.transaction(async (tx) => {
      const user = await this.store.findById(input.userId, tx);
      if (!user) throw notFound('User');
      await this.store.updateUser(tx, user.id, { name: input.name ?? user.name, emailNotifications: emailNotifications ?? user.emailNotifications });
      if (emailNotifications !== undefined && emailNotifications !== user.emailNotifications) {
        await tx.publish(userContract.events.preferences_changed, { userId: user.id, emailNotifications }, { key: user.id });
      }
    });
    return this.getUser({ userId: input.userId });
  }

  async listAddresses({ userId }: { userId: string }) {
    const items = (await this.store.addresses(userId)).map(toAddress);
    return { items, total: items.length };
  }

  async addAddress({ userId, address }: { userId: string; address: AddressFields }): Promise<Address> {
    if (!(await this.store.findById(userId))) throw notFound('User');
    const row = newAddress(userId, address);
    await this.store.transaction((tx) => this.store.insertAddress(tx, row));
    return toAddress(row);
  }

  async saveAddress({ userId, address }: { userId: string; address: AddressFields }): Promise<Address> {
    // Read and written in one write transaction: an identical call racing this one waits for it, then finds its address.
    const row = await this.store.transaction(async (tx) => {
      if (!(await this.store.findById(userId, tx))) throw notFound('User');
      const saved = await this.store.sameAddress(tx, userId, address);
      if (saved) return saved;
      const added = newAddress(userId, address);
      await this.store.insertAddress(tx, added);
      return added;
    });
    return toAddress(row);
  }

  async getAddress({ userId, addressId }: { userId: string; addressId: string }): Promise<Address> {
    const row = await this.store.address(userId, addressId);
    if (!row) throw notFound('Address');
    return toAddress(row);
  }

  async findUsers({ email, limit, offset }: { email?: string; limit: number; offset: number }) {
    const { rows, total } = await this.store.find(email, limit, offset);
    return { items: rows.map(({ id, email, name, role, createdAt }) => ({ id, email, name, role, createdAt })), total };
  }

  async listAdmins() {
    return { items: (await this.store.admins()).map(toPublic) };
  }

  private issueToken(user: UserRow): Promise<string> {
    return this.tokens.issue({ id: user.id, role: user.role, version: user.tokenVersion });
  }
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Runs a password hash for a counted attempt; if the server was too busy to run it, the attempt does not count. */
async function forgivenIfBusy<T>(attempt: Pick<Attempt, 'forgive'>, hash: () => Promise<T>): Promise<T> {
  try {
    return await hash();
  } catch (err) {
    if (err instanceof AppError && err.kind === 'unavailable') await attempt.forgive();
    throw err;
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
    ...(user.isGuest ? { guest: true } : {}),
  };
}

function newAddress(userId: string, address: AddressFields): AddressRow {
  return { id: randomUUID(), userId, ...address, line2: address.line2 ?? null, createdAt: new Date().toISOString() };
}

function toAddress(row: AddressRow): Address {
  const { userId: _owner, line2, ...rest } = row;
  return { ...rest, ...(line2 ? { line2 } : {}) };
}
