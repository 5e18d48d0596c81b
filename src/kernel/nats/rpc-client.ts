import { errors, type NatsConnection } from '@nats-io/transport-node';
import type { RemoteCaller } from '../calls.ts';
import { AppError } from '../errors.ts';
import type { Reachability } from '../transport.ts';
import type { NatsNames } from './names.ts';
import { traceHeaders } from './trace-headers.ts';
import { decodeJson, encodeJson, type PingReply, type Reply } from './wire.ts';

export interface RpcClientOptions {
  timeoutMs: number;
  pingTimeoutMs: number;
  isConnected: () => boolean;
  /** Resolves true once connected, false if not within `ms` (connection.ts). */
  whenConnected: (ms: number) => Promise<boolean>;
  /**
   * How long a call that certainly reached nobody is tried again: sent while this process was
   * failing over to another NATS server, or answered "no responders" while the callee's process
   * was. Within the call's timeout. Default FAILOVER_GRACE_MS.
   */
  failoverGraceMs?: number;
}

/**
 * A failover (a NATS server of a cluster lost) takes this process, or the callee's, a fraction
 * of a second: reconnect to another server, resend the subscriptions. A call caught in it waits
 * this long for the way to open again rather than failing. Short, because a module that is truly
 * down answers `unavailable` this much later (tests/transport/nats.test.ts keeps it under 1 s).
 */
export const FAILOVER_GRACE_MS = 300;
const RETRY_EVERY_MS = 50;

/**
 * The caller's side of remote calls: one NATS request per call. Every transport failure becomes
 * `unavailable` (the HTTP edge answers 503); a reply carrying an error becomes the same typed
 * AppError the callee threw. Losing one server of a cluster should not fail the calls caught in
 * the switch: a call made while this process is reconnecting waits for the connection, and one
 * answered "no responders" (nobody got it) is sent again, both for up to the failover grace. The
 * request is never left in the client's reconnect buffer. After a timeout the outcome is unknown:
 * the callee may have acted, so such a call is never repeated here (callers that retry rely on
 * the callee's idempotency: the saga's charge by order, the checkout's Idempotency-Key).
 */
export class RpcClient implements RemoteCaller {
  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly options: RpcClientOptions,
  ) {}

  async call(moduleName: string, method: string, input: unknown): Promise<unknown> {
    const data = await this.send(moduleName, method, encodeJson(input));
    let reply: Reply;
    try {
      reply = decodeJson<Reply>(data);
    } catch {
      throw new AppError('internal', `Module ${moduleName} sent a reply that is not JSON`);
    }
    if (reply.ok) return reply.result;
    throw AppError.fromWire(reply.error);
  }

  /** The reply's bytes; retried only while the request certainly reached nobody (see the class). */
  private async send(moduleName: string, method: string, payload: Uint8Array): Promise<Uint8Array> {
    const started = Date.now();
    const { timeoutMs } = this.options;
    const graceEnd = started + Math.min(this.options.failoverGraceMs ?? FAILOVER_GRACE_MS, timeoutMs);
    const headers = traceHeaders();
    for (;;) {
      // Never into the client's reconnect buffer: wait (briefly) for a connection, or fail.
      if (!this.options.isConnected() && !(await this.options.whenConnected(graceEnd - Date.now()))) {
        throw unreachable(moduleName, 'this process has lost its NATS connection');
      }
      const left = started + timeoutMs - Date.now();
      try {
        const msg = await this.nc.request(this.names.rpc(moduleName, method), payload, { timeout: Math.max(1, left), headers });
        return msg.data;
      } catch (err) {
        // Only "no responders" proves nobody got the request; a timeout may hide a callee that acted.
        if (!isNoResponders(err) || Date.now() + RETRY_EVERY_MS > graceEnd) throw unreachable(moduleName, why(err, timeoutMs));
        await new Promise((r) => setTimeout(r, RETRY_EVERY_MS));
      }
    }
  }

  /** Names of the modules that no process answers for, pinging all of them at once. */
  async unreachable(modules: string[]): Promise<string[]> {
    return (await this.reachability(modules)).unreachable;
  }

  /**
   * Pings every module at once: `unreachable` lists those no process answers for, `starting` those
   * whose every answering replica is still doing its start-up work. One ready replica is enough.
   */
  async reachability(modules: string[]): Promise<Reachability> {
    if (!this.options.isConnected()) return { unreachable: [...modules], starting: [] };
    const states = await Promise.all(modules.map((m) => this.ping(m)));
    return {
      unreachable: modules.filter((_, i) => states[i] === 'unreachable'),
      starting: modules.filter((_, i) => states[i] === 'starting'),
    };
  }

  /**
   * Every replica answers a ping; the first ready answer settles it. After a `starting` answer the
   * others get PING_STALL_MS more to say they are ready; with no answer at all (no responders, or
   * none within the ping timeout) the module is unreachable.
   */
  private async ping(moduleName: string): Promise<'ready' | 'starting' | 'unreachable'> {
    let starting = false;
    try {
      const answers = await this.nc.requestMany(this.names.ping(moduleName), undefined, {
        strategy: 'stall',
        stall: PING_STALL_MS,
        maxWait: this.options.pingTimeoutMs,
      });
      for await (const msg of answers) {
        if (!isStarting(msg.data)) return 'ready';
        starting = true;
      }
    } catch {
      // no responders, a timeout or a lost connection: what was heard so far decides
    }
    return starting ? 'starting' : 'unreachable';
  }
}

/** How long a ping waits for a ready replica after hearing one that is still starting. */
const PING_STALL_MS = 100;

function isStarting(data: Uint8Array): boolean {
  try {
    return decodeJson<PingReply | undefined>(data)?.starting === true;
  } catch {
    return false; // an answer all the same
  }
}

function unreachable(moduleName: string, reason: string): AppError {
  return new AppError('unavailable', `Module ${moduleName} is unreachable: ${reason}. Try again shortly.`);
}

function isNoResponders(err: unknown): boolean {
  return err instanceof errors.NoRespondersError || (err instanceof errors.RequestError && err.isNoResponders());
}

function why(err: unknown, timeoutMs: number): string {
  if (isNoResponders(err)) return 'no process serves it';
  if (err instanceof errors.TimeoutError) return `no answer within ${timeoutMs} ms`;
  return err instanceof Error ? err.message : String(err);
}
