import { randomBytes } from 'node:crypto';

/**
 * A span of a caller in front of the shop (a proxy, another traced service), as its `traceparent`
 * header names it: the shop's spans of that request join its trace, whose id the test then knows.
 */
export function upstreamSpan(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}
