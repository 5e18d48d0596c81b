import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopClient } from '../support/client.ts';
import { startTestShop, type TestShop } from '../support/in-process.ts';
import { parseYamlDocuments, type YamlValue } from '../support/yaml.ts';

/**
 * deploy/monitoring holds the alert rules and the dashboard an operator loads as they are: every
 * metric they ask for must be one a running shop exports, or the alert never fires and the panel
 * stays empty without anyone noticing.
 */
let shop: TestShop;
let exported: Set<string>;

beforeAll(async () => {
  shop = await startTestShop();
  const text = (await new ShopClient(shop.url).get('/metrics')).text as string;
  exported = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    exported.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
  }
});
afterAll(() => shop?.stop());

/** PromQL's own words that look like metric names. */
const PROMQL = new Set(['histogram_quantile', 'label_replace']);
/** The metric names a PromQL expression reads (identifiers with an underscore, outside label matchers and strings). */
const metricsIn = (expr: string) =>
  [...expr.replace(/\{[^}]*\}/g, '').replace(/"[^"]*"/g, '').matchAll(/\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b/g)].map((m) => m[1]).filter((n) => !PROMQL.has(n));

describe('deploy/monitoring', () => {
  it('alerts only on metrics the shop exports, with a summary and a description that says what to do', () => {
    const [doc] = parseYamlDocuments(readFileSync('deploy/monitoring/prometheus-rules.yaml', 'utf8')) as Array<{ groups: Array<{ rules: Array<Record<string, YamlValue>> }> }>;
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['CleaveDeadLetters', 'CleaveInboxBacklogGrowing', 'CleaveOrdersPlacedNonePaid']));
    for (const rule of rules) {
      const used = metricsIn(String(rule.expr));
      expect(used.length, String(rule.alert)).toBeGreaterThan(0);
      for (const name of used) expect(exported, `${String(rule.alert)} reads ${name}`).toContain(name);
      const annotations = rule.annotations as Record<string, string>;
      expect(annotations.summary, String(rule.alert)).toBeTruthy();
      expect(annotations.description, String(rule.alert)).toBeTruthy();
    }
  });

  it('draws only metrics the shop exports on the Grafana dashboard', () => {
    const dashboard = JSON.parse(readFileSync('deploy/monitoring/grafana-dashboard.json', 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        for (const name of metricsIn(expr)) expect(exported, `${panel.title} reads ${name}`).toContain(name);
      }
    }
  });
});
