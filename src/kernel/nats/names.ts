/**
 * Where the shop lives on the broker. Everything is derived from one optional namespace so that
 * several shops, or several test runs, can share a NATS server without hearing each other.
 *
 *   calls   <ns>.rpc.<module>.<method>     (queue group <module>: replicas share the load)
 *   pings   <ns>.ping.<module>             (no queue group: every replica answers, saying whether
 *                                           its process is still starting; see rpc-server.ts)
 *   stores  <ns>.store.<module>            (no queue group: every replica answers with the identity
 *                                           of the module's store; see store-claim.ts)
 *   events  <ns>.evt.<type>                (stored in the stream CLEAVE_EVENTS[_<ns>])
 */

const NAMESPACE = /^[A-Za-z0-9_-]*$/;

export interface NatsNames {
  readonly namespace: string;
  /** JetStream stream holding every event of this shop. */
  readonly stream: string;
  /** Subject filter covering every event (the stream's subject). */
  readonly allEvents: string;
  rpc(moduleName: string, method: string): string;
  /** Subscription subject for every call to a module. */
  rpcOf(moduleName: string): string;
  /** Where every replica of a module answers pings (reachability and start-up state). */
  ping(moduleName: string): string;
  /** Where every replica of a module says which store holds the module's data. */
  store(moduleName: string): string;
  event(type: string): string;
}

export function natsNames(namespace = ''): NatsNames {
  // Stream names may not contain dots or wildcards; subjects may not contain empty tokens.
  if (!NAMESPACE.test(namespace)) throw new Error(`Invalid NATS namespace "${namespace}": use letters, digits, "_" and "-" only`);
  const prefix = namespace ? `${namespace}.` : '';
  return {
    namespace,
    stream: namespace ? `CLEAVE_EVENTS_${namespace}` : 'CLEAVE_EVENTS',
    allEvents: `${prefix}evt.>`,
    rpc: (moduleName, method) => `${prefix}rpc.${moduleName}.${method}`,
    rpcOf: (moduleName) => `${prefix}rpc.${moduleName}.*`,
    ping: (moduleName) => `${prefix}ping.${moduleName}`,
    store: (moduleName) => `${prefix}store.${moduleName}`,
    event: (type) => `${prefix}evt.${type}`,
  };
}
