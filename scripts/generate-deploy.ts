/**
 * Writes deploy/compose.yaml, deploy/k8s/ and deploy/k8s-sqlite/ from the module registry, and
 * removes files of those directories it no longer writes, so a new module cannot be forgotten in
 * deployment: tests/repo/deploy.test.ts fails when the committed files differ from what this
 * script would write. Usage: npm run deploy:generate
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { moduleNames } from '../src/app/modules.ts';
import { GENERATED_DIRS, LOCAL_FILES, renderDeployFiles } from '../deploy/render.ts';

const files = renderDeployFiles(moduleNames);
for (const dir of GENERATED_DIRS) {
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !(path in files) && !LOCAL_FILES.includes(path)) {
      rmSync(path);
      console.log(`removed ${path}`);
    }
  }
}
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
console.log(`wrote ${Object.keys(files).length} deploy files for ${moduleNames.length} modules`);
