import { z } from 'zod';
import { call, defineContract, event, Id, Paging, Role, Timestamp } from '../../kernel/contract.ts';

const Email = z.email().max(254);
/** A password as typed at sign-in: any length up to the bound (a short one is just wrong). */
const PasswordGiven = z.string().max(200);
/** A new password. */
const Password = PasswordGiven.min(8, 'at least 8 characters');
const Name = z.string().trim().min(1).max(100);

export const Preferences = z.object({
  /** Whether notices are also sent by email (when the shop has SMTP). */
  emailNotifications: z.boolean(),
});

export const PublicUser = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  preferences: Preferences,
  createdAt: Timestamp,
  /** True for a guest's account (made at a guest checkout; it never signs in). Absent: a registered account. */
  guest: z.boolean().optional(),
});
export type PublicUser = z.infer<typeof PublicUser>;

export const AddressInput = z.strictObject({
  name: Name,
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, e.g. "US"'),
});
export const Address = AddressInput.extend({ id: Id, createdAt: Timestamp });
export type Address = z.infer<typeof Address>;

const Session = z.object({ user: PublicUser, token: z.string() });
const UserRef = z.strictObject({ userId: Id });
/** The client's network address as the HTTP edge saw it: sign-ins and registrations are throttled per address. */
const ClientAddress = z.string().min(1).max(100);
/** The caller's name for a guest's checkout session (opaque here): createGuest finds the guest's account again by it. */
const GuestKey = z.string().min(1).max(100);

/** Accounts, sign-in, profiles, preferences and addresses. */
export const userContract = defineContract(
  'user',
  {
    /** Creates a customer account and signs it in. Conflict if the email is taken; rate limited after many from one address. */
    register: call({ input: z.strictObject({ email: Email, password: Password, name: Name, clientAddress: ClientAddress }), output: Session }),
    /**
     * A guest's account for a guest checkout: it can hold addresses, orders and notices, but has no
     * password and never signs in; a sign-in with its email is answered as for an unknown email. The
     * same `guestKey` (the caller's checkout session, e.g. its guest cart id) and email (any case)
     * answer the same account every time, concurrent calls too, so a checkout sent twice makes one
     * (it keeps the name it was made with); another key or another email makes a new account,
     * whatever the email (a registered customer's too).
     */
    createGuest: call({ input: z.strictObject({ email: Email, name: Name, guestKey: GuestKey }), output: z.object({ userId: Id }) }),
    /**
     * Signs in. Unauthorized for an unknown email or a wrong password alike; rate limited after
     * repeated failures (per account and address, per account, per address); unavailable while too
     * many passwords are being checked.
     */
    login: call({ input: z.strictObject({ email: z.string().max(254), password: PasswordGiven, clientAddress: ClientAddress }), output: Session }),
    /** Whether a token with this version still stands, and the user's current role; unauthorized once revoked. */
    checkSession: call({ input: z.strictObject({ userId: Id, tokenVersion: z.number().int().min(0) }), output: z.object({ id: Id, role: Role }) }),
    /** Signs the user out everywhere: every token issued so far stops working. */
    logout: call({ input: UserRef, output: z.object({}) }),
    /**
     * Replaces the password and answers a new token; every older token stops working. Unauthorized
     * for a wrong current password, which counts as a failed sign-in (rate limited alike).
     */
    changePassword: call({
      input: z.strictObject({ userId: Id, currentPassword: PasswordGiven, newPassword: Password, clientAddress: ClientAddress }),
      output: z.object({ token: z.string() }),
    }),
    /** A user's profile. */
    getUser: call({ input: UserRef, output: PublicUser }),
    /** Profiles and preferences of several users at once (unknown ids are left out). */
    getUsers: call({ input: z.strictObject({ userIds: z.array(Id).max(500) }), output: z.object({ items: z.array(PublicUser) }) }),
    /** Changes the name and/or preferences. */
    updateProfile: call({
      input: z.strictObject({ userId: Id, name: Name.optional(), preferences: Preferences.partial().strict().optional() }),
      output: PublicUser,
    }),
    /** The user's saved addresses, oldest first. */
    listAddresses: call({ input: UserRef, output: z.object({ items: z.array(Address), total: z.number().int() }) }),
    /** Saves a new address. */
    addAddress: call({ input: z.strictObject({ userId: Id, address: AddressInput }), output: Address }),
    /**
     * For checkouts that may be sent twice: the user's address with exactly these fields (no second
     * line and an empty one alike), or a new one saved now; concurrent identical calls save one.
     */
    saveAddress: call({ input: z.strictObject({ userId: Id, address: AddressInput }), output: Address }),
    /** One of the user's addresses; not found if it belongs to someone else. */
    getAddress: call({ input: z.strictObject({ userId: Id, addressId: Id }), output: Address }),
    /** Back office: registered accounts (no guests) whose email contains `email` (any case), newest first. */
    findUsers: call({
      input: z.strictObject({ email: z.string().min(1).max(254).optional(), ...Paging }),
      output: z.object({ items: z.array(PublicUser.pick({ id: true, email: true, name: true, role: true, createdAt: true })), total: z.number().int() }),
    }),
    /** Every admin account (for operator alerts). */
    listAdmins: call({ input: z.strictObject({}), output: z.object({ items: z.array(PublicUser) }) }),
  },
  {
    /** A registered account exists (a guest's account is none: createGuest announces nothing). */
    registered: event(1, z.object({ userId: Id, email: z.string(), name: z.string(), role: Role })),
    /** A user's notification preferences changed. */
    preferences_changed: event(1, z.object({ userId: Id, emailNotifications: z.boolean() })),
  },
);

export type UserContract = typeof userContract;
