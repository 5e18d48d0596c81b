import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { readSession, SESSION_COOKIE } from '../../src/storefront/session.ts';

const cookie = (value: unknown) => ({ signedCookies: { [SESSION_COOKIE]: value } }) as unknown as Request;
const good = { sid: '0123456789abcdef0123', cart: 'guest_1', currency: 'EUR', orders: [{ id: 'o1', owner: 'u1' }], token: 't' };

describe('the session cookie as read back', () => {
  it('keeps what it holds', () => {
    expect(readSession(cookie(good))).toEqual({ session: good, fresh: false });
  });

  it('keeps the cart and the sign-in when only a later-changed field no longer reads (a currency dropped from the rates)', () => {
    const { session, fresh } = readSession(cookie({ ...good, currency: 'XXX', orders: 'not a list' }));
    expect(fresh).toBe(false);
    expect(session).toMatchObject({ sid: good.sid, cart: 'guest_1', token: 't', currency: 'USD', orders: [] });
  });

  it('starts a fresh guest session when the cookie is missing, unsigned or has no identity', () => {
    for (const value of [undefined, false, 'j:{}', { ...good, sid: undefined }, { ...good, cart: '' }]) {
      const { session, fresh } = readSession(cookie(value));
      expect(fresh).toBe(true);
      expect(session.cart).toMatch(/^guest_/);
      expect(session.currency).toBe('USD');
    }
  });
});
