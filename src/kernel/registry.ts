import type { AuthUser, TokenClaims } from './http/routes.ts';
import { InProcessTransport } from './events/local-bus.ts';
import { checkDefinition, type ModuleDefinition } from './module.ts';
import type { Transport } from './transport.ts';
import { useFor, type Use } from './uses.ts';

/** Checks of the module registry a process is started with, made once at start. */

/** The in-process transport, when this process hosts every module; otherwise a broker is needed. */
export function chooseInProcess(options: { modules: ModuleDefinition[]; hosted: string[] }): Transport {
  const all = options.modules.map((m) => m.contract.name);
  const missing = all.filter((n) => !options.hosted.includes(n));
  if (missing.length) {
    throw new Error(
      `Modules ${missing.join(', ')} are not hosted in this process and no transport can reach them. ` +
        'Host them here (--modules all) or run with a broker (see README: "Splitting the shop").',
    );
  }
  return new InProcessTransport();
}

/**
 * The one module that owns accounts decides whether a token still stands (none: the signature is
 * enough). Its check reaches modules as its routes do: its own contract and its `uses`.
 */
export function sessionCheckOf(modules: ModuleDefinition[], use: Use): ((claims: TokenClaims) => Promise<AuthUser>) | undefined {
  const owners = modules.filter((m) => m.sessionCheck);
  if (owners.length > 1) throw new Error(`Only one module may check sessions; found ${owners.map((m) => m.contract.name).join(', ')}`);
  const owner = owners[0];
  if (!owner?.sessionCheck) return undefined;
  const check = owner.sessionCheck;
  const ownerUse = useFor(owner, use);
  return (claims) => check(claims, ownerUse);
}

export function checkRegistry(modules: ModuleDefinition[], hosted: string[]): void {
  const names = new Set<string>();
  const eventTypes = new Map<string, string>();
  for (const m of modules) {
    if (names.has(m.contract.name)) throw new Error(`Two modules are named ${m.contract.name}`);
    names.add(m.contract.name);
    // Again here: a definition may have been built without defineModule.
    checkDefinition(m);
    for (const e of Object.values(m.contract.events)) {
      const owner = eventTypes.get(e.type);
      if (owner) throw new Error(`Event ${e.type} is declared by both ${owner} and ${m.contract.name}`);
      eventTypes.set(e.type, m.contract.name);
    }
  }
  for (const m of modules) {
    const missing = (m.uses ?? []).filter((c) => !names.has(c.name)).map((c) => c.name);
    if (missing.length) throw new Error(`Module ${m.contract.name} uses ${missing.join(', ')}, which the module registry does not hold`);
  }
  for (const h of hosted) if (!names.has(h)) throw new Error(`Unknown module "${h}". Known modules: ${[...names].join(', ')}`);
}
