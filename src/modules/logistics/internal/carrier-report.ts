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

/** Reads a (signature-checked) webhook body; malformed JSON or fields are a validation error. */
export function parseCarrierReport(rawBody: string): CarrierReport {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw validationError([{ path: '(root)', message: 'the body is not JSON' }], 'Malformed carrier event');
  }
  const report = parseOrThrow(CarrierReport, json, 'carrier event');
  return { ...report, at: new Date(report.at).toISOString() };
}
