import { errors, type NatsConnection } from '@nats-io/transport-node';
import type { RemoteCaller } from '../calls.ts';
import { AppError } from '../errors.ts';
import type { Reachability } from '../transport.ts';
import type { NatsNames } from './names.ts';
import { decodeJson, encodeJson, type PingReply, type Reply } from './wire.ts';

export interface RpcClientOptions {
  timeoutMs: number;
  pingTimeoutMs: number;
  isConnected: () => boolean;
}

/**
 * The caller's side of remote calls: one NATS request per call. Every transport failure becomes
 * `unavailable` (the HTTP edge answers 503); a reply carrying an error becomes the same typed
 * AppError the callee threw. After a timeout the outcome is unknown: the callee may have acted.
 */
export class RpcClient implements RemoteCaller {
  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly options: RpcClientOptions,
  ) {}

  async call(moduleName: string, method: string, input: unknown): Promise<unknown> {
    // Fail fast while disconnected instead of letting the request sit in the reconnect buffer.
    if (!this.options.isConnected()) throw unreachable(moduleName, 'this process has lost its NATS connection');
    let data: Uint8Array;
    try {
      const msg = await this.nc.request(this.names.rpc(moduleName, method), encodeJson(input), { timeout: this.options.timeoutMs });
      data = msg.data;
    } catch (err) {
      throw unreachable(moduleName, why(err, this.options.timeoutMs));
    }
    let reply: Reply;
    try {
      reply = decodeJson<Reply>(data);
    } catch {
      throw new AppError('internal', `Module ${moduleName} sent a reply that is not JSON`);
    }
    if (reply.ok) return reply.result;
    throw AppError.fromWire(reply.error);
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

function why(err: unknown, timeoutMs: number): string {
  if (err instanceof errors.RequestError && err.isNoResponders()) return 'no process serves it';
  if (err instanceof errors.TimeoutError) return `no answer within ${timeoutMs} ms`;
  return err instanceof Error ? err.message : String(err);
}
