import { describeJourneys } from './journey-suite.ts';
import { topologyTarget } from './topology-target.ts';

// Twelve module processes and a gateway hosting none, all over NATS (deploy/topologies.json).
describeJourneys('split-all', () => topologyTarget('split-all'), { traced: true });
