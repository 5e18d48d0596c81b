/**
 * Writes deploy/compose.yaml and deploy/k8s/*.yaml from the module registry, so a new module
 * cannot be forgotten in deployment: tests/repo/deploy.test.ts fails when the committed files differ
 * from what this script would write. Usage: npm run deploy:generate
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { moduleNames } from '../src/app/modules.ts';
import { renderCompose, renderKubernetes } from '../deploy/render.ts';

mkdirSync('deploy/k8s', { recursive: true });
writeFileSync('deploy/compose.yaml', renderCompose(moduleNames));
for (const [file, text] of Object.entries(renderKubernetes(moduleNames))) writeFileSync(`deploy/k8s/${file}`, text);
console.log(`wrote deploy/compose.yaml and deploy/k8s/ for ${moduleNames.length} modules`);
