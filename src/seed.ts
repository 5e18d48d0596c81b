import { parseArgs } from 'node:util';
import { loadConfig } from './kernel/config.ts';
import { createLogger } from './kernel/logger.ts';
import { Runtime } from './kernel/runtime.ts';
import { allModules, moduleNames } from './app/modules.ts';
import { catalogContract } from './modules/catalog/contract.ts';

const USAGE = `Usage: npm run seed -- [--products N]

Loads the demo catalog (deterministic: the same products every time) into the shop's data
under DATA_DIR, if the catalog is empty, and waits until every module has taken it in.

  --products <N>   how many demo products (1..100000, default 500)
  -h, --help       this text`;

/** How long search, warehouse and the rest may take to digest a large demo catalog. */
const SETTLE_TIMEOUT_MS = 10 * 60 * 1000;

/** `npm run seed`: the shop's modules in this process, no HTTP, just long enough to seed. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { products: { type: 'string', default: '500' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return console.log(USAGE);
  const products = Number(values.products);
  if (!/^\d+$/.test(values.products) || products < 1 || products > 100_000) {
    console.error(`--products must be a whole number from 1 to 100000 (got "${values.products}")\n\n${USAGE}`);
    process.exit(2);
  }
  // Seeding is asked for explicitly here; the automatic 500-product seed at start would pre-empt it.
  const config = loadConfig({ ...process.env, SEED_DEMO: 'false' });
  const logger = createLogger(config.logLevel);
  const runtime = await Runtime.start({ config, logger, modules: allModules, hosted: moduleNames, gateway: false });
  try {
    const started = Date.now();
    const catalog = runtime.use(catalogContract);
    const { created } = await catalog.seedDemo({ products });
    const seeded = Date.now();
    await runtime.settled(SETTLE_TIMEOUT_MS);
    const categories = (await catalog.listCategories({})).items.length;
    const listed = (await catalog.listProducts({ limit: 1, offset: 0 })).total;
    console.log(created
      ? `Seeded ${created} demo products in ${categories} categories into ${config.dataDir} in ${seeded - started} ms; every module caught up ${Date.now() - seeded} ms later.`
      : `The catalog in ${config.dataDir} is not empty (${listed} products in ${categories} categories): nothing seeded.`);
  } finally {
    await runtime.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
