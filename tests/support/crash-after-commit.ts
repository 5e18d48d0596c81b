/**
 * Child process for the outbox crash test: starts the till and the bookkeeper on the data dir given
 * as argv[2], sells once, and kills itself with SIGKILL as soon as the sale committed — before the
 * outbox relay had its turn to deliver the event. Prints the event id first (synchronously).
 *   node --import tsx tests/support/crash-after-commit.ts <dataDir> <saleId>
 */
import { writeSync } from 'node:fs';
import { bookkeeperModule, tillContract, tillModule } from './event-modules.ts';
import { startRuntime } from './runtime.ts';

const [dataDir, saleId] = process.argv.slice(2);
const { runtime } = await startRuntime([tillModule, bookkeeperModule], { dataDir });
const { eventId } = await runtime.use(tillContract).sell({ saleId, amount: 500 });
// The relay wakes on setImmediate; this line runs first, in the same turn of the event loop.
writeSync(1, `${eventId}\n`);
process.kill(process.pid, 'SIGKILL');
