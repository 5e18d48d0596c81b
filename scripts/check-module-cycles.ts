/**
 * Fails when modules use each other (calls and shared types; event subscriptions may point back):
 * the rule `modules-depend-one-way`, explained in tools/module-cycles.ts. Run after
 * dependency-cruiser by `npm run lint:arch`; `-- <root>` checks another tree (default: here).
 */
import { describeCycles, moduleCycles, moduleEdges, RULE } from '../tools/module-cycles.ts';

const root = process.argv[2] ?? process.cwd();
const edges = moduleEdges(root);
const cycles = moduleCycles(edges);
const modules = new Set(edges.flatMap((e) => [e.from, e.to])).size;
if (cycles.length) {
  console.error(`\n${describeCycles(cycles)}`);
  console.error(`x ${cycles.length} module cycle${cycles.length === 1 ? '' : 's'} (${RULE}; ${modules} modules, ${edges.length} imports between them)\n`);
  process.exitCode = 1;
} else {
  console.log(`\u2714 no module uses another that uses it (${RULE}; ${modules} modules, ${edges.length} imports between them)`);
}
