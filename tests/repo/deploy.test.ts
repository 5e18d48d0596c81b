import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/app/modules.ts';
import { renderCompose, renderKubernetes } from '../../deploy/render.ts';

describe('deploy files follow the module registry', () => {
  it('the registry holds the twelve modules of the shop', () => {
    expect([...moduleNames].sort()).toEqual(
      ['cart', 'catalog', 'logistics', 'notification', 'order-processing', 'order-taking', 'payment', 'recommendation', 'search', 'user', 'warehouse', 'wishlist'],
    );
  });

  it('deploy/compose.yaml is what `npm run deploy:generate` writes (a container per module)', () => {
    expect(readFileSync('deploy/compose.yaml', 'utf8')).toBe(renderCompose(moduleNames));
    for (const m of moduleNames) expect(renderCompose(moduleNames)).toContain(`command: ["--modules", "${m}"]`);
  });

  it('deploy/k8s/ holds exactly the generated manifests: a StatefulSet and Service per module', () => {
    const expected = renderKubernetes(moduleNames);
    const committed = readdirSync('deploy/k8s').filter((f) => f !== 'nats-values.yaml').sort();
    expect(committed).toEqual(Object.keys(expected).sort());
    for (const [file, text] of Object.entries(expected)) expect(readFileSync(`deploy/k8s/${file}`, 'utf8'), file).toBe(text);
    for (const m of moduleNames) expect(expected[`20-module-${m}.yaml`]).toMatch(/kind: StatefulSet[\s\S]*replicas: 1[\s\S]*kind: Service/);
  });
});
