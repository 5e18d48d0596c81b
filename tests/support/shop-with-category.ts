import { afterAll, beforeAll, vi } from 'vitest';
import { Assortment } from './assortment.ts';
import { ShopClient } from './client.ts';
import { startTestShop, type TestShop } from './in-process.ts';

export interface ShopWithCategory {
  shop: TestShop;
  api: ShopClient;
  /** Stocks, reprices and archives products through the API, as an admin. */
  shelf: Assortment;
  /** The category this file's products go into. */
  categoryId: string;
}

/**
 * The usual set-up of a module's HTTP tests: one in-process shop for the test file, a client, an
 * assortment to stock products with, and one category to put them in; stopped (and vitest spies
 * restored) after the file. Call it at the top level; its fields are filled in before the tests run.
 */
export function shopWithCategory(category: string): ShopWithCategory {
  const setup = {} as ShopWithCategory;
  beforeAll(async () => {
    setup.shop = await startTestShop();
    setup.api = new ShopClient(setup.shop.url);
    setup.shelf = await Assortment.open(setup.api);
    setup.categoryId = (await setup.shelf.category(category)).id;
  });
  afterAll(async () => {
    await setup.shop?.stop();
    vi.restoreAllMocks();
  });
  return setup;
}
