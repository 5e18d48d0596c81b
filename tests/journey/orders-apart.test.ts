import { describeJourneys } from './journey-suite.ts';
import { topologyTarget } from './topology-target.ts';

// The order flow in one process, the rest and the HTTP API in another, over NATS.
describeJourneys('orders-apart', () => topologyTarget('orders-apart'), { traced: true });
