/** Copies every migrations folder next to the compiled code in dist/ (tsc copies only .ts output). */
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function visit(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (name === 'migrations') cpSync(path, join('dist', path), { recursive: true });
    else visit(path);
  }
}
visit('src');
