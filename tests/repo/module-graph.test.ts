import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allModules } from '../../src/app/modules.ts';
import { contractNameOfToken } from '../../src/kernel/module.ts';
import { callCycle, moduleGraph, renderModuleGraph } from '../../src/kernel/module-graph.ts';

/**
 * The module graph the registry declares: calls (each module's `uses`) point one way, `uses` says
 * what the module really injects, subscription names do not move, and docs/architecture.md shows
 * the graph as it is.
 */
describe('module graph', () => {
  it("docs/architecture.md's module graph is the generated one (npm run docs:graph)", () => {
    const doc = readFileSync('docs/architecture.md', 'utf8');
    const between = doc.split('<!-- module-graph:start -->')[1]?.split('<!-- module-graph:end -->')[0]?.trim();
    expect(between, 'run `npm run docs:graph` and commit docs/architecture.md').toBe(renderModuleGraph(allModules));
  });

  it('has no call cycle: a module that must hear back from one it calls subscribes to its events', () => {
    expect(callCycle(moduleGraph(allModules))).toBeNull();
    // The check itself finds a cycle, however long.
    expect(callCycle({ calls: [['a', 'b'], ['b', 'c'], ['c', 'a']], events: [] })).toEqual(['a', 'b', 'c', 'a']);
  });

  it("declares in `uses` exactly the contracts a module's classes and handlers take, none stale", () => {
    // Routes may also use a declared contract; none of the shop's routes reaches beyond its own module yet.
    for (const m of allModules) {
      const injected = [...m.bindings, ...(m.handlers ?? []).map((h) => h.handler)].flatMap((p) => p.deps.map(contractNameOfToken));
      const taken = new Set(injected.filter((name) => name !== undefined));
      expect((m.uses ?? []).map((c) => c.name).toSorted(), m.contract.name).toEqual([...taken].toSorted());
    }
  });

  it('keeps the subscription names that stored inboxes know (a rename would replay or skip events)', () => {
    const names = Object.fromEntries(allModules.filter((m) => m.handlers?.length).map((m) => [m.contract.name, m.handlers!.map((h) => h.name)]));
    expect(names).toEqual({
      search: ['LearnNewCategory', 'IndexNewProduct', 'ReindexChangedProduct', 'RepriceIndexedProduct', 'DropArchivedProduct', 'TrackStockForSearch'],
      cart: ['RemoveOrderedItemsFromCart'],
      wishlist: ['TellWishersOfPriceDrop', 'TellWishersOfRestock'],
      'order-taking': ['TrackOrderProgress', 'NoteTrackingNumber'],
      'order-processing': ['RunPlacedOrder', 'ShipOrder', 'DeliverOrder'],
      warehouse: ['OpenStockForNewProduct'],
      notification: ['NotifyOrderProgress', 'NotifyPriceDrop', 'NotifyBackInStock', 'AlertAdminsOfLowStock', 'RememberRecipient', 'FollowEmailPreference'],
      recommendation: ['LearnNewProduct', 'FollowProductChange', 'RetireArchivedProduct', 'RememberOrderLines', 'CountPaidOrder', 'RememberWish', 'ForgetWish'],
    });
  });
});
