import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { context } from '@opentelemetry/api';
import type { Contract } from '../contract.ts';
import { AppError, toAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { NatsNames } from './names.ts';
import { callerContext } from './trace-headers.ts';
import { decodeJson, encodeJson, type PingReply, type Reply } from './wire.ts';

export type CallHandler = (method: string, input: unknown) => Promise<unknown>;

/**
 * The callee's side of remote calls. One subscription per hosted module, in a queue group named
 * after the module, so each call reaches exactly one replica. `handle` is the module's local
 * proxy: it validates input and output against the contract, so the wire adds no rules of its own.
 *
 * Each module also answers pings, on a subject of its own without a queue group, so that every
 * replica answers. Until `startupDone()` a ping says `starting`: calls are taken from the moment a
 * module is served (another module's start-up work may call it), but the process has not finished
 * its own start-up work (the admin account, the demo catalog) and must not count as ready yet.
 */
export class RpcServer {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private starting = true;

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly logger: Logger,
  ) {}

  async serve(contract: Contract, handle: CallHandler): Promise<void> {
    const calls = this.nc.subscribe(this.names.rpcOf(contract.name), {
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
    const pings = this.nc.subscribe(this.names.ping(contract.name), {
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err, module: contract.name }, 'ping subscription failed');
          return;
        }
        if (msg.reply) msg.respond(encodeJson({ starting: this.starting } satisfies PingReply));
      },
    });
    this.subscriptions.push(calls, pings);
    // The server knows the subscriptions once flush returns: calls made right after serve() land.
    await this.nc.flush();
  }

  /** This process's start-up work is done: pings answer ready from now on. */
  startupDone(): void {
    this.starting = false;
  }

  /** Stops taking calls and waits for the ones being answered (so their replies go out). */
  async stop(): Promise<void> {
    for (const sub of this.subscriptions) sub.unsubscribe();
    await Promise.allSettled([...this.inFlight]);
  }

  private async answer(contract: Contract, handle: CallHandler, msg: Msg): Promise<void> {
    if (!msg.reply) return; // a publish, not a request: nobody to answer
    const method = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
    // The answer's spans continue the caller's trace (the local proxy's span is their first).
    const caller = callerContext(msg.headers);
    const reply = await (caller ? context.with(caller, () => this.reply(contract, handle, method, msg.data)) : this.reply(contract, handle, method, msg.data));
    msg.respond(encodeJson(reply));
  }

  private async reply(contract: Contract, handle: CallHandler, method: string, data: Uint8Array): Promise<Reply> {
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
