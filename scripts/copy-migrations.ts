/**
 * Copies what the compiled code reads from disk next to it in dist/ (tsc emits only code): every
 * migrations folder, and the storefront's static files (styles, script, pictures).
 */
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const COPIED = new Set(['migrations', 'static']);

function visit(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (COPIED.has(name)) cpSync(path, join('dist', path), { recursive: true });
    else visit(path);
  }
}
visit('src');
