import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from './config-error.ts';
import { makeDirectory, reason } from './data-dir.ts';

/**
 * Secrets a shop needs but nobody configured (outside production): made once at random and kept
 * in DATA_DIR/secrets/, readable by the owner alone, so tokens survive restarts and every process
 * sharing the data directory agrees. Failures are ConfigErrors naming DATA_DIR, the path and the
 * OS's reason.
 */
/** The secret stored under `name`, created now if absent. Safe when several processes start at once. */
export function storedSecret(dataDir: string, name: string): { value: string; file: string } {
  const dir = resolve(dataDir, 'secrets');
  const file = join(dir, name);
  try {
    makeDirectory(dir, 0o700);
    const existing = readIfPresent(file);
    if (existing !== undefined) return { value: existing, file };
    // Written whole under a private name, then linked into place: a process starting at the same
    // moment sees either no file or the complete one, and the first link wins.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, randomBytes(48).toString('base64url'), { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(draft, { force: true });
    }
    return { value: readFileSync(file, 'utf8').trim(), file };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`DATA_DIR=${dataDir}: cannot keep the generated ${name} in ${file} (${reason(err)}). Set the secret in the environment or make DATA_DIR writable.`);
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length < 32) throw new ConfigError(`${file} holds no usable secret (under 32 characters): delete it to have a new one made.`);
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
