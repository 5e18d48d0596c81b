// Rules for the code around the shop: tools/, tests/, bench/ and scripts/, checked by `npm run lint:arch`
// (after .dependency-cruiser.js, which checks src/). Same options and the same general rules (no cycles, no
// unresolvable imports, no unlisted packages), and one rule of their own: what two of them share lives in tools/.
import shopRules from './.dependency-cruiser.js';

const GENERAL_RULES = ['no-circular', 'not-to-unresolvable', 'no-unlisted-packages'];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...shopRules.forbidden.filter((rule) => GENERAL_RULES.includes(rule.name)),
    {
      name: 'shared-tooling-in-tools',
      severity: 'error',
      comment:
        'tests/, bench/ and scripts/ do not import each other, and tools/ imports none of them: a helper that two ' +
        'of them need (temp dirs, NATS namespaces, free ports, map-limit, the topology launcher) lives in tools/, ' +
        'so the benchmark does not depend on the test suite, nor the tests on a command-line script. Instead: ' +
        'move the shared piece to tools/ and import it from there.',
      from: { path: '^(tests|bench|scripts|tools)/' },
      to: { path: '^(tests|bench|scripts)/', pathNot: '^$1/' },
    },
  ],
  options: {
    ...shopRules.options,
    // The architecture fixture breaks every rule on purpose; src/ has its own cruise.
    exclude: { path: '^tests/fixtures/' },
    doNotFollow: { path: ['(^|/)node_modules/', '^src/'] },
  },
};
