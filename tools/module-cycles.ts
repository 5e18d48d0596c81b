/**
 * The rule `modules-depend-one-way`: the shop's files collapsed into a graph of modules, and the
 * cycles in it. dependency-cruiser sees files, not what a file does with an import, so it cannot
 * tell subscribing to another module's events (allowed to point back) from calling it or sharing
 * its types (not allowed to). Run by `npm run lint:arch` (scripts/check-module-cycles.ts) and by
 * tests/architecture.test.ts, against src/ and against the broken fixture in tests/fixtures/arch.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const RULE = 'modules-depend-one-way';

/** What the rule forbids, why, and what to do instead (printed with every cycle found). */
export const EXPLANATION =
  'Calls and shared types between modules point one way: no module may call another module, or import a ' +
  'type or schema from its contract, when that module (directly or through others) already does so with it. ' +
  "Only an event subscription may point back: naming another module's events (`on(xContract.events.y, ...)`, " +
  '`PayloadOf<typeof xContract.events.y>`) to react to them, as integration-event handlers do. Why: modules ' +
  'that use each other can be neither understood, tested, changed nor moved into another process alone; a ' +
  'change to either breaks the other, and a type used both ways usually lives with the wrong module. ' +
  'Instead: move the type to the module that owns its changes and import it from there, or turn the call ' +
  'that points back into a reaction to an event the other module publishes.';

/** One import of another module by a file of a module. */
export interface ModuleEdge {
  from: string;
  to: string;
  /** The importing file, relative to the root, with forward slashes. */
  file: string;
  /** The names imported (`*` for a namespace, empty for a side-effect import or re-export of all). */
  names: string[];
  /**
   * `events`: the file only names the other module's events (to subscribe to them, or for what their
   * payloads say); `uses`: anything else (a call, a token to bind, a type or schema).
   */
  kind: 'uses' | 'events';
}

/** Modules that use each other, and the imports that make them do so. */
export interface ModuleCycle {
  /** A shortest way round, back to where it starts: `['a', 'b', 'a']`. */
  path: string[];
  /** Every `uses` import between the modules of the cycle. */
  edges: ModuleEdge[];
}

const MODULE_FILE = /^src\/modules\/([^/]+)\/(.+)$/;

/** Every import of one module by another under `root/src/modules`, classified by what it is used for. */
export function moduleEdges(root: string): ModuleEdge[] {
  const modulesDir = join(root, 'src/modules');
  const files = readdirSync(modulesDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => relativePath(root, join(modulesDir, f)))
    .sort();
  return files.flatMap((file) => edgesOf(root, file));
}

/** The cycles among `uses` edges: one per group of modules that use each other. */
export function moduleCycles(edges: ModuleEdge[]): ModuleCycle[] {
  const uses = edges.filter((e) => e.kind === 'uses');
  const next = new Map<string, Set<string>>();
  for (const e of uses) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  return stronglyConnected(next)
    .filter((group) => group.length > 1)
    .map((group) => {
      const members = new Set(group);
      return {
        path: shortestCycle(group[0], next, members),
        edges: uses.filter((e) => members.has(e.from) && members.has(e.to)),
      };
    });
}

/** The report of `cycles`, in the shape of dependency-cruiser's err-long output. */
export function describeCycles(cycles: ModuleCycle[]): string {
  const lines = cycles.flatMap((cycle) => [
    `  error ${RULE}: ${cycle.path.join(' -> ')}`,
    ...cycle.edges.map((e) => `    ${e.from} -> ${e.to}: ${e.file} imports ${e.names.join(', ') || '(everything)'}`),
    '',
    ...wrap(EXPLANATION, 100).map((line) => `    ${line}`),
    '',
  ]);
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines = [''];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last && last.length + 1 + word.length > width) lines.push(word);
    else lines[lines.length - 1] = last ? `${last} ${word}` : word;
  }
  return lines;
}

function edgesOf(root: string, file: string): ModuleEdge[] {
  const from = MODULE_FILE.exec(file)![1];
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const edges: ModuleEdge[] = [];
  const add = (specifier: ts.Node | undefined, names: string[], kind: (to: string) => ModuleEdge['kind']) => {
    if (!specifier || !ts.isStringLiteralLike(specifier) || !specifier.text.startsWith('.')) return;
    const target = MODULE_FILE.exec(relativePath(root, resolve(root, dirname(file), specifier.text)));
    if (target && target[1] !== from) edges.push({ from, to: target[1], file, names, kind: kind(target[2]) });
  };

  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const { names, locals } = importedNames(statement);
      add(statement.moduleSpecifier, names, (target) =>
        target === 'contract.ts' && locals.length > 0 && locals.every((local) => onlyNamesEvents(source, statement, local)) ? 'events' : 'uses');
    } else if (ts.isExportDeclaration(statement)) {
      const names = statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements.map((e) => e.name.text) : [];
      add(statement.moduleSpecifier, names, () => 'uses');
    }
  }
  // import('../../x/contract.ts') as a value or as a type: whatever it is for, it is a use.
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], ['import()'], () => 'uses');
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, ['import()'], () => 'uses');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The names an import brings in, as spelled in the other module and as bound in this file. */
function importedNames(statement: ts.ImportDeclaration): { names: string[]; locals: string[] } {
  const clause = statement.importClause;
  const names: string[] = [];
  const locals: string[] = [];
  if (clause?.name) {
    names.push('default');
    locals.push(clause.name.text);
  }
  const bindings = clause?.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    // A namespace hides which of its names are used: count it as a use.
    names.push('*');
    locals.push('');
  } else if (bindings) {
    for (const element of bindings.elements) {
      names.push((element.propertyName ?? element.name).text);
      locals.push(element.name.text);
    }
  }
  return { names, locals };
}

/**
 * Whether every mention of `local` in the file is `local.events...` (a subscription: `on(xContract.events.y,
 * ...)`) or `typeof local.events...` (what an event says). False when it is never mentioned.
 */
function onlyNamesEvents(source: ts.SourceFile, declaration: ts.ImportDeclaration, local: string): boolean {
  let mentioned = false;
  let other = false;
  const visit = (node: ts.Node): void => {
    if (node === declaration || other) return;
    if (ts.isIdentifier(node) && node.text === local && isReference(node)) {
      mentioned = true;
      const parent = node.parent;
      const namesEvents =
        (ts.isPropertyAccessExpression(parent) && parent.expression === node && parent.name.text === 'events') ||
        (ts.isQualifiedName(parent) && parent.left === node && parent.right.text === 'events');
      if (!namesEvents) other = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return mentioned && !other;
}

/** False for an identifier that only names something else: a property, or a declaration of its own. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === node;
  if (ts.isQualifiedName(parent)) return parent.left === node;
  if (ts.isShorthandPropertyAssignment(parent) || ts.isExportSpecifier(parent)) return true;
  return !('name' in parent && parent.name === node) && !('propertyName' in parent && parent.propertyName === node);
}

/** The groups of modules that can all reach each other (a module alone when it is on no cycle). */
function stronglyConnected(next: Map<string, Set<string>>): string[][] {
  const nodes = [...new Set([...next.keys(), ...[...next.values()].flatMap((s) => [...s])])].sort();
  const reach = new Map(nodes.map((node) => [node, reachableFrom(node, next)]));
  const groups: string[][] = [];
  for (const node of nodes) {
    if (groups.some((g) => g.includes(node))) continue;
    groups.push(nodes.filter((other) => other === node || (reach.get(node)!.has(other) && reach.get(other)!.has(node))));
  }
  return groups;
}

function reachableFrom(start: string, next: Map<string, Set<string>>): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length) {
    for (const to of next.get(queue.shift()!) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** A shortest way from `start` back to itself within `members` (breadth first). */
function shortestCycle(start: string, next: Map<string, Set<string>>, members: Set<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const to of [...(next.get(node) ?? [])].sort()) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start];
}

function relativePath(root: string, path: string): string {
  return relative(root, path).split('\\').join('/');
}
