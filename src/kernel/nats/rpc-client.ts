import { errors, type NatsConnection } from '@nats-io/transport-node';
import type { RemoteCaller } from '../calls.ts';
import { AppError } from '../errors.ts';
import { PING_METHOD, type NatsNames } from './names.ts';
import { decodeJson, encodeJson, type Reply } from './wire.ts';

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
    if (!this.options.isConnected()) return [...modules];
    const answered = await Promise.all(modules.map((m) => this.ping(m)));
    return modules.filter((_, i) => !answered[i]);
  }

  private async ping(moduleName: string): Promise<boolean> {
    try {
      await this.nc.request(this.names.rpc(moduleName, PING_METHOD), undefined, { timeout: this.options.pingTimeoutMs });
      return true;
    } catch {
      return false;
    }
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
