import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../logger.ts';
import { setTracingOn } from './spans.ts';

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans go to `<endpoint>/v1/traces` as OTLP over HTTP. */
  endpoint?: string;
  /** An exporter of the test's own (the SDK's in-memory one), handed each span as it ends. */
  exporter?: SpanExporter;
  /** `service.name` of this process's spans. */
  serviceName: string;
  /** Hears the SDK's warnings and errors (spans that could not be sent, say). */
  logger?: Logger;
}

export interface Tracing {
  /** Sends the spans not yet sent, and stops tracing in this process. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { shutdown: async () => undefined };

/**
 * Turns tracing on for this process when there is somewhere to send spans: registers the
 * OpenTelemetry SDK (AsyncLocalStorage context, W3C trace context) and the kernel's spans
 * (spans.ts). Without an endpoint it does nothing, and tracing costs nothing. The SDK's own
 * OTEL_* variables (OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_SCHEDULE_DELAY, OTEL_TRACES_SAMPLER, ...)
 * apply as documented by OpenTelemetry.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (!options.endpoint && !options.exporter) return OFF;
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [spanProcessor],
  });
  provider.register();
  // An unreachable collector is worth a line in the log, not silence (the SDK's default).
  if (options.logger) {
    const log = options.logger.child({ component: 'tracing' });
    const where = options.endpoint ? ` (OTEL_EXPORTER_OTLP_ENDPOINT=${options.endpoint})` : '';
    const say = (message: string) => log.warn(`tracing: ${readable(message)}${where}`);
    const quiet = () => undefined;
    diag.setLogger({ error: say, warn: say, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  }
  setTracingOn(true);
  return {
    shutdown: async () => {
      setTracingOn(false);
      await provider.shutdown();
      // Leaves the global API as it found it: a later start (a test's next shop) registers afresh.
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}

/** The SDK reports a failed export as the error's JSON: its message is what a reader needs. */
function readable(message: string): string {
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    return typeof parsed.message === 'string' ? `spans could not be sent: ${parsed.message}` : message;
  } catch {
    return message;
  }
}

/** The `service.name` of a process: what it hosts (`cleave`, `cleave-gateway`, `cleave-order-taking`, ...). */
export function serviceNameOf(hosted: readonly string[], everyModule: boolean, gateway: boolean): string {
  if (everyModule) return 'cleave';
  const parts = [...(gateway ? ['gateway'] : []), ...hosted];
  return parts.length > 0 ? `cleave-${parts.join('+')}` : 'cleave';
}
