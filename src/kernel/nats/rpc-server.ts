import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Contract } from '../contract.ts';
import { AppError, toAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { PING_METHOD, type NatsNames } from './names.ts';
import { decodeJson, encodeJson, type Reply } from './wire.ts';

export type CallHandler = (method: string, input: unknown) => Promise<unknown>;

/**
 * The callee's side of remote calls. One subscription per hosted module, in a queue group named
 * after the module, so each call reaches exactly one replica. `handle` is the module's local
 * proxy: it validates input and output against the contract, so the wire adds no rules of its own.
 */
export class RpcServer {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly logger: Logger,
  ) {}

  async serve(contract: Contract, handle: CallHandler): Promise<void> {
    const sub = this.nc.subscribe(this.names.rpcOf(contract.name), {
      queue: contract.name,
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err, module: contract.name }, 'call subscription failed');
          return;
        }
        const answering = this.answer(contract, handle, msg).finally(() => this.inFlight.delete(answering));
        this.inFlight.add(answering);
      },
    });
    this.subscriptions.push(sub);
    // The server knows the subscription once flush returns: calls made right after serve() land.
    await this.nc.flush();
  }

  /** Stops taking calls and waits for the ones being answered (so their replies go out). */
  async stop(): Promise<void> {
    for (const sub of this.subscriptions) sub.unsubscribe();
    await Promise.allSettled([...this.inFlight]);
  }

  private async answer(contract: Contract, handle: CallHandler, msg: Msg): Promise<void> {
    if (!msg.reply) return; // a publish, not a request: nobody to answer
    const method = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
    const reply = await this.reply(contract, handle, method, msg.data);
    msg.respond(encodeJson(reply));
  }

  private async reply(contract: Contract, handle: CallHandler, method: string, data: Uint8Array): Promise<Reply> {
    if (method === PING_METHOD) return { ok: true, result: 'pong' };
    try {
      if (!Object.hasOwn(contract.methods, method)) {
        throw new AppError('not_found', `Module ${contract.name} has no method ${method} (caller and callee run different versions?)`);
      }
      let input: unknown;
      try {
        input = decodeJson(data);
      } catch {
        throw new AppError('validation', `Input to ${contract.name}.${method} is not JSON`);
      }
      return { ok: true, result: await handle(method, input) };
    } catch (err) {
      return { ok: false, error: toAppError(err).toWire() };
    }
  }
}
