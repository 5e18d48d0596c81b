import { z } from 'zod';
import { validationError } from '../../../kernel/errors.ts';
import { parseOrThrow } from '../../../kernel/validation.ts';

/** What the carrier reports about a parcel. */
const CarrierReport = z.strictObject({
  trackingNumber: z.string().min(1).max(100),
  status: z.enum(['in_transit', 'delivered']),
  at: z.iso.datetime({ offset: true }),
});
export type CarrierReport = z.infer<typeof CarrierReport>;

/** A report is a few hundred characters; a body this long is not one. */
const MAX_REPORT_LENGTH = 10_000;

/** Reads a (signature-checked) webhook body; one too long, malformed JSON or bad fields are a validation error. */
export function parseCarrierReport(rawBody: string): CarrierReport {
  if (rawBody.length > MAX_REPORT_LENGTH) {
    throw validationError([{ path: '(root)', message: `at most ${MAX_REPORT_LENGTH} characters` }], 'Carrier event too large');
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw validationError([{ path: '(root)', message: 'the body is not JSON' }], 'Malformed carrier event');
  }
  const report = parseOrThrow(CarrierReport, json, 'carrier event');
  return { ...report, at: new Date(report.at).toISOString() };
}
