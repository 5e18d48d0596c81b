import { z } from 'zod';
import { call, defineContract } from '../contract.ts';

/** A dead letter as the operator sees it: which event, which handler gave up, why, and when. */
export const DeadLetterView = z.object({
  seq: z.number().int(),
  eventId: z.string(),
  type: z.string(),
  handler: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  /** When the handler gave up (for a payload that broke its schema: when it arrived). */
  at: z.string(),
});
export type DeadLetterView = z.infer<typeof DeadLetterView>;

/**
 * The kernel's own calls that every module with event handlers answers for the operator, wherever
 * it runs: its dead letters, and queueing one again. A contract like a module's, so the same
 * transport carries it (`<ns>.rpc.operations.<module>.<method>` on NATS, shared by the module's
 * replicas), and the gateway can show the whole shop's dead letters from one place.
 */
export function deadLetterContract(module: string) {
  return defineContract(
    `operations.${module}`,
    {
      deadLetters: call({ input: z.strictObject({}), output: z.object({ items: z.array(DeadLetterView) }) }),
      /** `revived: false` when the module has no dead letter with this seq (never was, or already queued again). */
      revive: call({ input: z.strictObject({ seq: z.number().int() }), output: z.object({ revived: z.boolean() }) }),
    },
    {},
  );
}

export type DeadLetterContract = ReturnType<typeof deadLetterContract>;
