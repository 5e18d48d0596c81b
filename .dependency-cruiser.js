// Architecture rules of Cleave, checked by `npm run lint:arch` (CI) and tests/repo/architecture.test.ts.
// They cruise src/; .dependency-cruiser-tooling.js holds the rules for tools/, tests/, bench/ and scripts/.
// Every rule says what is forbidden, why, and what to do instead. Paths are relative to the
// directory the cruise runs from (the repository root); `$1` in a `to` pattern is the module name
// captured by the `from` pattern. One rule lives outside this file, because dependency-cruiser sees
// files and not what an import is used for: `modules-depend-one-way` (tools/module-cycles.ts,
// run right after this by `npm run lint:arch`): calls and shared types between modules point one
// way, only event subscriptions may point back.
import { getAvailableTranspilers } from 'dependency-cruiser';

// Without a TypeScript it can load (e.g. TypeScript 7, which has no JS API), dependency-cruiser
// skips every .ts file, cruises 0 modules and reports success. Refuse to run instead.
const typescript = getAvailableTranspilers().find((t) => t.name === 'typescript');
if (!typescript?.available) {
  throw new Error(
    `dependency-cruiser cannot load the TypeScript compiler (it supports typescript ${typescript?.version ?? '?'}; ` +
      `found ${typescript?.currentVersion ?? 'none'}). It would cruise no .ts file and pass silently: install typescript ~5.9.`,
  );
}

/** Another module's drizzle tables and migrations (schema.ts, schema.pg.ts, *-schema.ts, tables.ts, schema/...). */
const TABLES_OF_A_MODULE = [
  '^src/modules/[^/]+/internal/.*(schema|tables)(\\.pg)?(\\.ts$|/)',
  '^src/modules/[^/]+/migrations/',
];

/** Packages that open a database file or connection. */
const DATABASE_DRIVERS = [
  '(^|/)node_modules/(@types/)?better-sqlite3/',
  '(^|/)node_modules/drizzle-orm/better-sqlite3/',
  '^(node:)?sqlite$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'module-via-contract-only',
      severity: 'error',
      comment:
        "A module may use another module only through that module's contract.ts. Importing its index.ts, " +
        'internal/ files or migrations couples you to code its owner must be free to change, and breaks as soon as ' +
        'the other module runs in another process. Instead: import `xContract` from ' +
        "'../../x/contract.ts' and call it with `use(xContract)` / inject `xContract.token`, or react to its events. " +
        'If the contract lacks what you need, ask its owner to add a method or an event.',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/[^/]+/',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/contract\\.ts$'],
      },
    },
    {
      name: 'index-only-from-composition-root',
      severity: 'error',
      comment:
        "A module's index.ts (its defineModule definition: bindings, routes, handlers, migrations) is for the " +
        'composition root alone. Only src/app/ (the module registry) and src/main.ts may import it. Anyone else ' +
        "who needs the module uses its contract.ts; a script that needs the whole shop imports src/app/ instead.",
      from: { pathNot: ['^src/app/', '^src/main\\.ts$'] },
      to: { path: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'kernel-independent-of-modules',
      severity: 'error',
      comment:
        'src/kernel/ is the ground every module stands on: it may import no module (not even a contract), nothing ' +
        'from the composition root src/app/ and not src/main.ts. Otherwise the kernel changes whenever a module ' +
        'does and the import graph turns into a knot. Instead: define a port (an interface or a DI token) in the ' +
        'kernel and let src/app/ or the module provide the implementation.',
      from: { path: '^src/kernel/' },
      to: { path: ['^src/modules/', '^src/app/', '^src/main\\.ts$'] },
    },
    {
      name: 'storefront-via-contracts-only',
      severity: 'error',
      comment:
        "The storefront (src/storefront/) renders pages from what modules' contracts answer, like the API's routes, " +
        'so it works wherever the modules run. It may import the kernel and contract.ts files only: never a ' +
        "module's index.ts, internal/ files or migrations. If a page needs something, add it to the module's contract.",
      from: { path: '^src/storefront/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/[^/]+/contract\\.ts$' },
    },
    {
      name: 'nothing-depends-on-the-storefront',
      severity: 'error',
      comment:
        'Pages are the outermost layer: modules and the kernel must work without them (a process that serves no ' +
        'pages never loads them). Only the composition root (src/app/) wires the storefront in.',
      from: { path: '^src/', pathNot: ['^src/storefront/', '^src/app/'] },
      to: { path: '^src/storefront/' },
    },
    {
      name: 'module-not-to-composition-root',
      severity: 'error',
      comment:
        'A module may not import the composition root (src/app/, src/main.ts): the root imports every module, so ' +
        'this ties the module to all the others. Instead: ask the kernel for what you need (a DI token from ' +
        'src/kernel/tokens.ts, another module via its contract).',
      from: { path: '^src/modules/' },
      to: { path: ['^src/app/', '^src/main\\.ts$'] },
    },
    {
      name: 'contract-imports-only-contracts',
      severity: 'error',
      comment:
        'contract.ts is what every other module imports, in every process. It may import only zod, the kernel ' +
        "contract helpers (src/kernel/contract.ts) and other modules' contract.ts files, so importing a contract " +
        "never drags in a module's implementation, node built-ins or other packages. Instead: keep types that " +
        'the contract needs as zod schemas in the contract itself, and move logic to internal/.',
      from: { path: ['^src/modules/[^/]+/contract\\.ts$', '^src/kernel/contract\\.ts$'] },
      to: {
        pathNot: ['^src/kernel/contract\\.ts$', '^src/modules/[^/]+/contract\\.ts$', '(^|/)node_modules/zod/'],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycles anywhere (type-only imports count too). A cycle means neither side can be understood, ' +
        'tested or moved alone, and in ESM it can leave a binding undefined at start-up. Instead: move what both ' +
        'sides need into a third file, or invert one direction (an interface, a DI token or an event).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-foreign-tables',
      severity: 'error',
      comment:
        "Each module owns its data: no module imports another module's drizzle schema/tables or migrations (its " +
        'database may not even be on this machine). Instead: call the owner through its contract, or keep a ' +
        'local projection in your own tables fed by its events (as search does for the catalog).',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: TABLES_OF_A_MODULE, pathNot: '^src/modules/$1/' },
    },
    {
      name: 'only-kernel-opens-databases',
      severity: 'error',
      comment:
        'Only src/kernel/persistence/ opens databases (better-sqlite3, drizzle-orm/better-sqlite3, node:sqlite): ' +
        "it gives each module its own file, runs its migrations and the kernel's outbox/inbox tables, and sets " +
        'WAL and busy_timeout. Instead: inject `Kernel.Db` (drizzle) or `Kernel.Sqlite` from src/kernel/tokens.ts, ' +
        'and use the `Db`/`Sqlite` types from src/kernel/persistence/database.ts.',
      from: { path: '^src/', pathNot: '^src/kernel/persistence/' },
      to: { path: DATABASE_DRIVERS },
    },
    {
      name: 'src-not-to-tests',
      severity: 'error',
      comment:
        'Production code under src/ may not import tests/, scripts/, bench/ or tools/: they are not shipped and ' +
        'would pull test tooling into the product. Instead: move what both need into src/ and import it from the tests.',
      from: { path: '^src/' },
      to: { path: '^(tests|scripts|bench|tools)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'This import points at a file or package that does not exist (a typo, a moved file, a missing ' +
        'dependency). Fix the path (imports spell the .ts extension) or add the package to package.json.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment:
        'This file imports nothing and nothing imports it: dead code, or something that was meant to be wired ' +
        'in and never was. Delete it, or import it where it belongs (a module binds its classes in index.ts).',
      from: {
        orphan: true,
        // Files a browser loads (src/storefront/static/) are served, not imported.
        pathNot: ['\\.d\\.[cm]?ts$', '(^|/)tsconfig\\.json$', '(^|/)\\.[^/]+\\.[cm]?js$', '^src/storefront/static/'],
      },
      to: {},
    },
    {
      name: 'not-to-dev-dependencies',
      severity: 'error',
      comment:
        'src/ may not import a devDependency at run time: production images install without them ' +
        '(npm ci --omit=dev), so the import would crash there. Type-only imports are fine. Instead: move the ' +
        'package to "dependencies" in package.json, or keep the code that needs it in tests/ or scripts/.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: '(^|/)node_modules/@types/' },
    },
    {
      name: 'no-unlisted-packages',
      severity: 'error',
      comment:
        'This package is not in package.json: it is only on disk because something else depends on it, and may ' +
        'vanish or change version with any install. Instead: add it to "dependencies" (npm install <name>).',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // TypeScript parses the files, so `import type` and type-only re-exports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
