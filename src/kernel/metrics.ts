import { Registry, Histogram, Counter, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the process: HTTP latency, calls, events, plus Node's defaults. */
export class Metrics {
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

  readonly readCacheLookups = new Counter({
    name: 'read_cache_lookups_total',
    help: 'Read cache lookups by module, cache scope and outcome (hit or miss)',
    labelNames: ['module', 'scope', 'outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
