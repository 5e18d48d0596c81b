import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Backlog } from './events/backlog.ts';

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Which end of a call a measurement was taken at. */
export type CallSide = 'caller' | 'callee';

/** A counter a module keeps of its own business (orders paid, payments refunded), in the process's registry. */
export interface ModuleCounter {
  inc(labels?: Record<string, string>): void;
}

/** What a module may record: counters of its own, created once per name. */
export interface ModuleMetrics {
  counter(name: string, help: string, labelNames?: string[]): ModuleCounter;
}

/**
 * Prometheus metrics of the process, labelled by module: HTTP latency; calls on both sides;
 * handler runs and their duration; each hosted module's backlog (inbox, outbox, dead letters),
 * read when scraped; the transport's connection; the modules' own counters; Node's defaults.
 */
export class Metrics implements ModuleMetrics {
  readonly registry = new Registry();
  private readonly http = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly eventsHandled = new Counter({
    name: 'events_handled_total',
    help: 'Runs of event handlers by consumer module and outcome (handled, retried, dead)',
    labelNames: ['module', 'outcome'],
    registers: [this.registry],
  });
  private readonly handlerDuration = new Histogram({
    name: 'event_handler_duration_seconds',
    help: 'How long a run of an event handler took, by module, handler and outcome (ok, error)',
    labelNames: ['module', 'handler', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly calls = new Counter({
    name: 'calls_total',
    help: 'Calls of module methods by module, method, side (callee: answered here; caller: sent to another process) and outcome (ok or the error kind)',
    labelNames: ['module', 'method', 'side', 'outcome'],
    registers: [this.registry],
  });
  private readonly callDuration = new Histogram({
    name: 'call_duration_seconds',
    help: 'Latency of module calls by module, method and side',
    labelNames: ['module', 'method', 'side'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly readCacheLookups = new Counter({
    name: 'read_cache_lookups_total',
    help: 'Read cache lookups by module, cache scope and outcome (hit or miss)',
    labelNames: ['module', 'scope', 'outcome'],
    registers: [this.registry],
  });
  private readonly own = new Map<string, Counter>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  observeHandler(module: string, handler: string, seconds: number, failed: boolean): void {
    this.handlerDuration.observe({ module, handler, outcome: failed ? 'error' : 'ok' }, seconds);
  }

  observeCall(module: string, method: string, side: CallSide, seconds: number, outcome: string): void {
    this.calls.inc({ module, method, side, outcome });
    this.callDuration.observe({ module, method, side }, seconds);
  }

  /**
   * Reports every hosted module's backlog when scraped: `read` is asked once per scrape. Ages are
   * in seconds (0 when nothing waits).
   */
  watchBacklogs(read: () => Promise<Array<{ module: string; backlog: Backlog }>>): void {
    let latest: Promise<Array<{ module: string; backlog: Backlog }>> | null = null;
    // The five gauges are collected one after another within one scrape: one read serves them all.
    const once = () => {
      latest ??= read().finally(() => setImmediate(() => (latest = null)));
      return latest;
    };
    const age = (at: string | null) => (at ? Math.max(0, (Date.now() - Date.parse(at)) / 1000) : 0);
    const gauge = (name: string, help: string, value: (b: Backlog) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['module'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const { module, backlog } of await once()) this.set({ module }, value(backlog));
        },
      });
    gauge('inbox_pending_events', 'Events stored in a module’s inbox and not yet handled (due or waiting for a retry)', (b) => b.inboxPending);
    gauge('inbox_oldest_pending_age_seconds', 'Age of the oldest event a module has not handled yet', (b) => age(b.inboxOldest));
    gauge('dead_letters', 'Events whose handler gave up (GET /api/admin/dead-letters)', (b) => b.deadLetters);
    gauge('outbox_unpublished_events', 'Events a module committed that the transport has not taken yet', (b) => b.outboxUnpublished);
    gauge('outbox_oldest_unpublished_age_seconds', 'Age of the oldest event a module committed and has not published yet', (b) => age(b.outboxOldest));
  }

  /** Reports whether the transport (NATS, or the in-process bus) is connected, when scraped. */
  watchTransport(kind: string, connected: () => boolean): void {
    new Gauge({
      name: 'transport_connected',
      help: 'Whether this process is connected to its transport (1) or not (0)',
      labelNames: ['transport'],
      registers: [this.registry],
      collect() {
        this.set({ transport: kind }, connected() ? 1 : 0);
      },
    });
  }

  /** A module's own counter; asking again for a name gives the same counter. */
  counter(name: string, help: string, labelNames: string[] = []): ModuleCounter {
    let counter = this.own.get(name);
    if (!counter) {
      counter = new Counter({ name, help, labelNames, registers: [this.registry] });
      this.own.set(name, counter);
    }
    const c = counter;
    return { inc: (labels = {}) => c.inc(labels) };
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
