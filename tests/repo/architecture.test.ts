import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cruise, type IConfiguration, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describeCycles, EXPLANATION, moduleCycles, moduleEdges, RULE, type ModuleEdge } from '../../tools/module-cycles.ts';

/**
 * The architecture rules of .dependency-cruiser.js, checked against a fixture that breaks each of
 * them (tests/fixtures/arch) and against the shop's own src/. Runs the configuration the way
 * `npm run lint:arch` does: same config file, same tsconfig, TypeScript parser. The one rule
 * dependency-cruiser cannot express, modules-depend-one-way (tools/module-cycles.ts), is checked
 * against the same fixture and src/ at the end.
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(REPO, 'tests/fixtures/arch');

/** What the fixture breaks, rule by rule: the offending import (from -> to). */
const EXPECTED: Record<string, Array<{ from: string; to: RegExp }>> = {
  'module-via-contract-only': [
    { from: 'src/modules/alpha/internal/service.ts', to: /^src\/modules\/beta\/internal\/pricing\.ts$/ },
    // The foreign-table import below is a contract bypass too; no-foreign-tables names the worse sin.
    { from: 'src/modules/alpha/internal/store.ts', to: /^src\/modules\/beta\/internal\/schema\.ts$/ },
  ],
  'index-only-from-composition-root': [{ from: 'src/tools/export.ts', to: /^src\/modules\/beta\/index\.ts$/ }],
  'kernel-independent-of-modules': [{ from: 'src/kernel/runtime.ts', to: /^src\/modules\/alpha\/contract\.ts$/ }],
  'module-not-to-composition-root': [{ from: 'src/modules/alpha/internal/wiring.ts', to: /^src\/app\/modules\.ts$/ }],
  'contract-imports-only-contracts': [{ from: 'src/modules/alpha/contract.ts', to: /^src\/modules\/alpha\/internal\/money\.ts$/ }],
  'no-circular': [{ from: 'src/modules/beta/internal/invoice(-lines)?.ts', to: /^src\/modules\/beta\/internal\/invoice(-lines)?\.ts$/ }],
  'no-foreign-tables': [{ from: 'src/modules/alpha/internal/store.ts', to: /^src\/modules\/beta\/internal\/schema\.ts$/ }],
  'only-kernel-opens-databases': [{ from: 'src/modules/alpha/internal/db.ts', to: /node_modules\/better-sqlite3\// }],
  'src-not-to-tests': [{ from: 'src/modules/beta/internal/pricing.ts', to: /^tests\/helpers\.ts$/ }],
  'not-to-unresolvable': [{ from: 'src/modules/beta/internal/reports.ts', to: /report-layout\.ts$/ }],
  'no-orphans': [{ from: 'src/modules/beta/internal/leftover.ts', to: /leftover\.ts$/ }],
  'not-to-dev-dependencies': [{ from: 'src/modules/beta/internal/snapshot.ts', to: /node_modules\/supertest\// }],
  'no-unlisted-packages': [{ from: 'src/modules/beta/internal/formula.ts', to: /node_modules\/acorn\// }],
  'storefront-via-contracts-only': [{ from: 'src/storefront/pages.tsx', to: /^src\/modules\/alpha\/internal\/service\.ts$/ }],
  'nothing-depends-on-the-storefront': [{ from: 'src/kernel/pages.ts', to: /^src\/storefront\/pages\.tsx$/ }],
};

let config: IConfiguration;
let fixture: ICruiseResult;
let shop: ICruiseResult;

async function cruiseTree(baseDir: string): Promise<ICruiseResult> {
  const tsConfig = extractTSConfig(join(REPO, 'tsconfig.json'));
  const result = await cruise(['src'], { ruleSet: config, validate: true, baseDir }, {}, { tsConfig });
  return result.output as ICruiseResult;
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => relative(dir, join(dir, f)).split('\\').join('/'));
}

function violationsOf(result: ICruiseResult, rule: string): IViolation[] {
  return result.summary.violations.filter((v) => v.rule.name === rule);
}

const describeViolation = (v: IViolation) => `${v.rule.name}: ${v.from} -> ${v.to}`;

beforeAll(async () => {
  config = await extractDepcruiseConfig(join(REPO, '.dependency-cruiser.js'));
  // One after the other: dependency-cruiser keeps module-level caches between runs.
  fixture = await cruiseTree(FIXTURE);
  shop = await cruiseTree(REPO);
});

describe('architecture rules, against a fixture that breaks each of them', () => {
  it('has a broken fixture for every rule in the configuration, and no expectation for a rule that is gone', () => {
    const rules = (config.forbidden ?? []).map((r) => r.name);
    expect(rules.toSorted()).toEqual(Object.keys(EXPECTED).toSorted());
  });

  it('explains every rule to a newcomer: what is forbidden, why, and what to do instead', () => {
    for (const rule of config.forbidden ?? []) {
      expect(rule.severity, rule.name).toBe('error');
      expect(rule.comment?.length ?? 0, `comment of ${rule.name}`).toBeGreaterThan(120);
    }
  });

  it('cruises every file of the fixture (none is skipped silently)', () => {
    const cruised = new Set(fixture.modules.map((m) => m.source));
    for (const file of tsFilesUnder(join(FIXTURE, 'src'))) expect(cruised, `src/${file}`).toContain(`src/${file}`);
  });

  it.each(Object.entries(EXPECTED))('reports %s exactly where the fixture breaks it', (rule, expected) => {
    const found = violationsOf(fixture, rule);
    expect(found.map(describeViolation)).toHaveLength(expected.length);
    for (const e of expected) {
      const match = found.find((v) => new RegExp(`^${e.from}$`).test(v.from) && e.to.test(v.to));
      expect(match, `${rule}: ${e.from} -> ${e.to}; found ${found.map(describeViolation).join(', ')}`).toBeDefined();
    }
  });

  it('reports nothing else: the imports the rules allow pass', () => {
    const expectedCount = Object.values(EXPECTED).reduce((n, list) => n + list.length, 0);
    expect(fixture.summary.violations.map(describeViolation)).toHaveLength(expectedCount);
  });
});

describe("architecture rules, against the shop's own src/", () => {
  it('breaks no rule', () => {
    expect(shop.summary.violations.map(describeViolation)).toEqual([]);
    expect(shop.summary.error).toBe(0);
  });

  it('actually cruises the code: more than 20 modules, and every .ts and .tsx file under src/', () => {
    expect(shop.summary.totalCruised).toBeGreaterThan(20);
    const cruised = new Set(shop.modules.map((m) => m.source));
    const missing = tsFilesUnder(join(REPO, 'src')).map((f) => `src/${f}`).filter((f) => !cruised.has(f));
    expect(missing).toEqual([]);
  });
});

/** Imports of `to` by `from`, of one kind, as `file [names]`. */
function importsOf(edges: ModuleEdge[], from: string, to: string, kind: ModuleEdge['kind']): string[] {
  return edges.filter((e) => e.from === from && e.to === to && e.kind === kind).map((e) => `${e.file} [${e.names.join(', ')}]`);
}

describe(`${RULE}: calls and shared types between modules point one way, only event subscriptions may point back`, () => {
  const fixtureEdges = moduleEdges(FIXTURE);
  const shopEdges = moduleEdges(REPO);

  it('explains itself to a newcomer: what is forbidden, why, and what to do instead', () => {
    expect(EXPLANATION).toMatch(/Why: .+ Instead: /);
    expect(describeCycles(moduleCycles(fixtureEdges))).toContain(EXPLANATION.slice(0, 60));
  });

  it('reports the fixture\'s gamma and delta, which call each other (delta from an event handler: a call all the same)', () => {
    expect(moduleCycles(fixtureEdges)).toEqual([
      {
        path: ['delta', 'gamma', 'delta'],
        edges: [
          expect.objectContaining({ from: 'delta', to: 'gamma', file: 'src/modules/delta/internal/on-gamma-opened.ts', kind: 'uses' }),
          expect.objectContaining({ from: 'gamma', to: 'delta', file: 'src/modules/gamma/internal/accounts.ts', kind: 'uses' }),
        ],
      },
    ]);
  });

  it('lets a subscription point back: beta handles alpha\'s event while alpha uses beta', () => {
    expect(importsOf(fixtureEdges, 'alpha', 'beta', 'uses')).toContain('src/modules/alpha/internal/service.ts [betaContract]');
    expect(importsOf(fixtureEdges, 'beta', 'alpha', 'events')).toEqual([
      'src/modules/beta/index.ts [alphaContract]',
      'src/modules/beta/internal/on-alpha-paid.ts [alphaContract]',
    ]);
    expect(importsOf(fixtureEdges, 'beta', 'alpha', 'uses')).toEqual([]);
    expect(importsOf(fixtureEdges, 'delta', 'gamma', 'events')).toEqual(['src/modules/delta/index.ts [gammaContract]']);
  });

  it('finds no cycle in the shop, reading the imports of all twelve modules', () => {
    expect(describeCycles(moduleCycles(shopEdges))).toBe('');
    expect(shopEdges.length).toBeGreaterThan(50);
    expect(new Set(shopEdges.flatMap((e) => [e.from, e.to])).size).toBe(12);
  });

  it('order-taking uses order-processing (its statuses included) and the cart; they only subscribe to order-taking\'s events', () => {
    expect(importsOf(shopEdges, 'order-taking', 'order-processing', 'uses')).toContainEqual(
      expect.stringMatching(/^src\/modules\/order-taking\/contract\.ts \[.*\bOrderStatus\b/),
    );
    expect(importsOf(shopEdges, 'order-taking', 'cart', 'uses')).not.toEqual([]);
    for (const other of ['order-processing', 'cart']) {
      expect(importsOf(shopEdges, other, 'order-taking', 'uses'), other).toEqual([]);
      expect(importsOf(shopEdges, other, 'order-taking', 'events'), other).toContain(`src/modules/${other}/index.ts [orderTakingContract]`);
    }
  });
});
