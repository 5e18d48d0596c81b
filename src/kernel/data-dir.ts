import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config-error.ts';

/** Creates DATA_DIR if needed and proves it writable, or says in one line why not. */
export function prepareDataDir(dataDir: string): void {
  const path = resolve(dataDir);
  try {
    makeDirectory(path);
    accessSync(path, constants.W_OK);
  } catch (err) {
    throw new ConfigError(`DATA_DIR=${dataDir}: cannot use ${path} as the data directory (${reason(err)}). Point DATA_DIR at a writable directory.`);
  }
}

/**
 * mkdir -p, one level at a time. Node's own `{ recursive: true }` never returns on some paths
 * (it loops on /proc/nope), which made a bad DATA_DIR hang the start for ever.
 */
export function makeDirectory(path: string, mode?: number): void {
  try {
    mkdirSync(path, { mode });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(path).isDirectory()) return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path || existsSync(parent)) throw err;
    makeDirectory(parent);
    mkdirSync(path, { mode });
  }
}

/** The OS's reason for a failed file operation, in one short phrase. */
export function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')}` : String(err);
}
