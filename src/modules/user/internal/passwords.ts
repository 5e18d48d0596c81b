import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { HashGate } from './hash-gate.ts';

const KEY_LENGTH = 32;
const MAX_MEM = 256 * 1024 * 1024;

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * A password is never stored: only `scrypt$N$r$p$salt$hash`. The cost (log2 N, default 17 as
 * OWASP advises) comes from SCRYPT_COST and is stored with each hash so it can be raised later.
 * Every hash passes the gate, which refuses (503) when too many wait.
 */
export class PasswordHasher {
  private readonly params: ScryptOptions;
  /** A stored hash no password matches (random key), at today's cost. */
  private readonly nothing: string;

  constructor(costLog2: number, private readonly gate: HashGate = new HashGate()) {
    this.params = { N: 2 ** costLog2, r: 8, p: 1 };
    this.nothing = this.format(randomBytes(16), randomBytes(KEY_LENGTH));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    return this.format(salt, await this.gate.run(() => derive(password, salt, this.params)));
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64');
    const key = await this.gate.run(() => derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) }));
    return key.length === expected.length && timingSafeEqual(key, expected);
  }

  /** Burns the time of a real check, so an unknown email cannot be told from a wrong password by timing. */
  async verifyAgainstNothing(password: string): Promise<false> {
    await this.verify(password, this.nothing);
    return false;
  }

  private format(salt: Buffer, key: Buffer): string {
    return ['scrypt', this.params.N, this.params.r, this.params.p, salt.toString('base64'), key.toString('base64')].join('$');
  }
}
