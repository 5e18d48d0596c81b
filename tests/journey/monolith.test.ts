import { startTestShop } from '../support/in-process.ts';
import { describeJourneys } from './journey-suite.ts';

describeJourneys('monolith', async () => {
  const shop = await startTestShop();
  return { url: shop.url, stop: () => shop.stop() };
});
