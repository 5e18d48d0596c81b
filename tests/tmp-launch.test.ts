import { it } from 'vitest';
import { launchTestTopology } from '/work/main/tests/support/topology.ts';
it('launch', async () => {
  const t0 = Date.now();
  const t = await launchTestTopology('split-all');
  console.log('ready in', Date.now() - t0);
  const t1 = Date.now();
  await t.stop();
  console.log('stopped in', Date.now() - t1);
}, 120000);
