import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CHARGE_CURRENCY, isDisplayCurrency } from './money/display-currency.ts';

/** The one cookie the storefront sets: signed (HMAC), so a visitor can read it but not forge it. */
export const SESSION_COOKIE = 'cleave_session';
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;
/** Orders a session can reopen without signing in (a guest's confirmations), newest first. */
const REMEMBERED_ORDERS = 5;

/**
 * What the storefront remembers about a visitor, all of it in the signed cookie (no server-side
 * session store, so any gateway replica serves any visitor):
 * - `sid`: random, names the session for its CSRF token;
 * - `cart`: whose cart this visitor fills while not signed in: a fresh guest id, or the guest
 *   account made at their first checkout;
 * - `guestEmail`: the email of that guest account, so a second checkout with it reuses the account;
 * - `token`: the API's sign-in token once the visitor signs in (checked on every request);
 * - `currency`: the display currency;
 * - `orders`: orders this browser placed as a guest, with their owner, to show without a sign-in.
 */
// The session's identity (sid, cart) must be whole; anything else that no longer reads (a
// currency dropped from rates.json, a field of an older shape) falls back alone, so a visitor
// never loses their cart or sign-in to a change of the shop.
const Session = z.object({
  sid: z.string().min(16).max(64),
  cart: z.string().min(1).max(100),
  guestEmail: z.string().max(254).optional().catch(undefined),
  token: z.string().max(2000).optional().catch(undefined),
  currency: z.string().refine(isDisplayCurrency).catch(CHARGE_CURRENCY),
  orders: z.array(z.object({ id: z.string().max(100), owner: z.string().max(100) })).max(REMEMBERED_ORDERS).catch([]),
});
export type Session = z.infer<typeof Session>;

function freshSession(): Session {
  return { sid: randomUUID(), cart: `guest_${randomUUID()}`, currency: CHARGE_CURRENCY, orders: [] };
}

/** The visitor's session from its signed cookie, or a fresh one when it is missing, forged or stale. */
export function readSession(req: Request): { session: Session; fresh: boolean } {
  const raw: unknown = req.signedCookies?.[SESSION_COOKIE];
  const parsed = Session.safeParse(raw);
  return parsed.success ? { session: parsed.data, fresh: false } : { session: freshSession(), fresh: true };
}

/** Sends the session back (the signed cookie); HttpOnly, SameSite=Lax, Secure when served over HTTPS. */
export function writeSession(req: Request, res: Response, session: Session): void {
  res.cookie(SESSION_COOKIE, session, { signed: true, httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge: THIRTY_DAYS_MS });
}

/** A new session for a visitor who signed out: a new guest cart, the display currency kept. */
export function signedOutSession(previous: Session): Session {
  return { ...freshSession(), currency: previous.currency };
}

export function rememberOrder(session: Session, id: string, owner: string): void {
  session.orders = [{ id, owner }, ...session.orders.filter((o) => o.id !== id)].slice(0, REMEMBERED_ORDERS);
}
