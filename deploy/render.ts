/**
 * Renders every generated deploy file from the module registry: pure functions, no I/O.
 * `npm run deploy:generate` writes them; tests/repo/deploy.test.ts proves the committed files are
 * what this returns, and checks what they say. One file per concern under deploy/render/.
 */
import { renderCompose } from './render/compose.ts';
import { renderKubernetes, renderKubernetesSqlite } from './render/k8s.ts';

/** The directories the generator owns: a file there that it does not write is stale. */
export const GENERATED_DIRS = ['deploy/k8s', 'deploy/k8s-sqlite'];

/** Files not generated, yet allowed in a generated directory (git ignores them). */
export const LOCAL_FILES = ['deploy/k8s/secrets.env'];

/** Every generated file, by its path from the repository root. */
export function renderDeployFiles(modules: string[]): Record<string, string> {
  const files: Record<string, string> = { 'deploy/compose.yaml': renderCompose(modules) };
  for (const [file, text] of Object.entries(renderKubernetes(modules))) files[`deploy/k8s/${file}`] = text;
  for (const [file, text] of Object.entries(renderKubernetesSqlite(modules))) files[`deploy/k8s-sqlite/${file}`] = text;
  return files;
}
