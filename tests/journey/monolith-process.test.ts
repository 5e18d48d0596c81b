import { describeJourneys } from './journey-suite.ts';
import { topologyTarget } from './topology-target.ts';

// The monolith as one real process (deploy/topologies.json "monolith"): no NATS, in-process bus.
describeJourneys('monolith, one process', () => topologyTarget('monolith'), { traced: true });
