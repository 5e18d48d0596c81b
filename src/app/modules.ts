import type { ModuleDefinition } from '../kernel/module.ts';
import user from '../modules/user/index.ts';

/**
 * The module registry: every module of the shop. The composition root is the only code that
 * imports modules' index.ts files; deploy files and topologies are checked against this list.
 */
export const allModules: ModuleDefinition[] = [user];

export const moduleNames = allModules.map((m) => m.contract.name);
