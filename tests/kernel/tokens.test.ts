import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/kernel/errors.ts';
import { TokenService } from '../../src/kernel/http/tokens.ts';

const SECRET = 'tokens-test-secret-tokens-test-secret-0123';
const customer = { id: 'user-1', role: 'customer' as const };

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

afterEach(() => vi.useRealTimers());

describe('TokenService (verified tokens are remembered, never beyond their expiry)', () => {
  it('verifies its own token, again and again', async () => {
    const tokens = new TokenService(SECRET, 60);
    const token = await tokens.issue(customer);
    for (let i = 0; i < 3; i++) expect(await tokens.verify(token)).toEqual(customer);
  });

  it('refuses a token once it has expired, even one verified before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = new TokenService(SECRET, 60);
    const token = await tokens.issue(customer);
    expect(await tokens.verify(token)).toEqual(customer);
    vi.setSystemTime(Date.now() + 61_000);
    const err = await refusal(tokens.verify(token));
    expect([err.kind, err.message]).toEqual(['unauthorized', 'Token expired: log in again']);
  });

  it('refuses a token whose payload was altered, though the original is remembered', async () => {
    const tokens = new TokenService(SECRET, 60);
    const token = await tokens.issue(customer);
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' })).toString('base64url');
    expect((await refusal(tokens.verify(`${header}.${forged}.${signature}`))).kind).toBe('unauthorized');
  });

  it('refuses a token signed with another secret', async () => {
    const other = await new TokenService(`${SECRET}-other`, 60).issue(customer);
    expect((await refusal(new TokenService(SECRET, 60).verify(other))).kind).toBe('unauthorized');
  });
});
