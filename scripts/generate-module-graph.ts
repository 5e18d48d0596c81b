/**
 * Writes the module dependency graph (calls from each module's `uses`, events from its
 * subscriptions) into docs/architecture.md, between the module-graph markers.
 * Usage: npm run docs:graph  (a test fails when the committed graph drifts from the registry)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { allModules } from '../src/app/modules.ts';
import { renderModuleGraph } from '../src/kernel/module-graph.ts';

const FILE = 'docs/architecture.md';
const START = '<!-- module-graph:start -->';
const END = '<!-- module-graph:end -->';
const doc = readFileSync(FILE, 'utf8');
const [before, rest] = doc.split(START);
if (rest === undefined || !rest.includes(END)) throw new Error(`${FILE} has no ${START} ... ${END} section`);
const after = rest.split(END)[1];
writeFileSync(FILE, `${before}${START}\n${renderModuleGraph(allModules)}\n${END}${after}`);
console.log(`${FILE}: module graph written`);
