/**
 * Writes README's configuration table from the config schema (src/kernel/config-variables.ts),
 * between the config-table markers. Usage: npm run docs:config  (a test fails when README drifts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { variablesTable } from '../src/kernel/config-variables.ts';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';
const readme = readFileSync('README.md', 'utf8');
const [before, rest] = readme.split(START);
if (rest === undefined || !rest.includes(END)) throw new Error(`README.md has no ${START} ... ${END} section`);
const after = rest.split(END)[1];
writeFileSync('README.md', `${before}${START}\n${variablesTable()}\n${END}${after}`);
console.log('README.md: configuration table written');
