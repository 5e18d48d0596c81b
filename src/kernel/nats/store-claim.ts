import { hostname } from 'node:os';
import { errors, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { ConfigError } from '../config-error.ts';
import type { Logger } from '../logger.ts';
import { moduleDatabaseVariable } from '../persistence/database.ts';
import type { NatsNames } from './names.ts';
import { decodeJson, encodeJson } from './wire.ts';

/** What a process says about the store that holds a module's data there. */
export interface StoreAnnouncement {
  /** The store's identity (persistence/store-identity.ts): equal for replicas of one store. */
  identity: string;
  /** A file path, or `schema <s> @ host:port/database`: never a password. */
  location: string;
  host: string;
  pid: number;
}

/** After the first answer, how long the other replicas have to answer too. */
const STALL_MS = 200;

/**
 * No split brain: before a process serves a module, it asks every process already answering for
 * the module on this namespace which store they hold it in (`<ns>.store.<module>`, no queue
 * group, so each replica answers). Nobody answering (no responders) means it is the first; an
 * answer naming another store stops the start with a ConfigError that says what to do. Once the
 * claim stands, the process answers the same question for the module until its connection closes.
 */
export class StoreClaims {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly logger: Logger,
    /** How long to wait for answers at most (only when someone is subscribed but slow). */
    private readonly waitMs: number,
  ) {}

  async claim(module: string, store: { identity: string; location: string }): Promise<void> {
    const mine: StoreAnnouncement = { ...store, host: hostname(), pid: process.pid };
    const rival = (await this.announcements(module, mine)).find((a) => a.identity !== mine.identity);
    if (rival) throw new ConfigError(conflict(module, this.names.namespace, mine, rival));
    const sub = this.nc.subscribe(this.names.store(module), { callback: (err, msg) => this.answer(module, mine, err, msg) });
    this.subscriptions.push(sub);
    // Once flush returns the server knows the subscription: a process asking next hears this one.
    await this.nc.flush();
  }

  /** Stops answering (the connection's end does it too). */
  stop(): void {
    for (const sub of this.subscriptions) sub.unsubscribe();
    this.subscriptions.length = 0;
  }

  /** What the processes already answering for the module say; none when nobody does. */
  private async announcements(module: string, mine: StoreAnnouncement): Promise<StoreAnnouncement[]> {
    const heard: StoreAnnouncement[] = [];
    try {
      const answers = await this.nc.requestMany(this.names.store(module), encodeJson(mine), { strategy: 'stall', stall: STALL_MS, maxWait: this.waitMs });
      for await (const msg of answers) {
        const answer = parse(msg.data);
        if (answer) heard.push(answer);
      }
    } catch (err) {
      // No responders: the first process for this module. Anything else (a timeout, the
      // connection going) leaves what was heard so far to decide.
      if (!(err instanceof errors.NoRespondersError || (err instanceof errors.RequestError && err.isNoResponders()))) {
        this.logger.warn({ err, module }, 'could not ask which store other processes hold this module in');
      }
    }
    return heard;
  }

  private answer(module: string, mine: StoreAnnouncement, err: Error | null, msg: Msg): void {
    if (err) {
      this.logger.error({ err, module }, 'store announcement subscription failed');
      return;
    }
    const asker = parse(msg.data);
    if (asker && asker.identity !== mine.identity) {
      // The asker refuses to start; the operator may be reading this process's log instead.
      this.logger.warn({ module, other: asker, here: mine }, `a process on host ${asker.host} (pid ${asker.pid}) tried to host ${module} with another store (${asker.location}); it is refused`);
    }
    if (msg.reply) msg.respond(encodeJson(mine));
  }
}

function parse(data: Uint8Array): StoreAnnouncement | null {
  try {
    const value = decodeJson<Partial<StoreAnnouncement> | undefined>(data);
    return typeof value?.identity === 'string' ? (value as StoreAnnouncement) : null;
  } catch {
    return null;
  }
}

function conflict(module: string, namespace: string, here: StoreAnnouncement, there: StoreAnnouncement): string {
  const where = namespace ? `NATS namespace "${namespace}"` : 'the default NATS namespace';
  return (
    `module ${module}: another process (host ${there.host}, pid ${there.pid}) already answers for ${module} on ${where} with a different store ` +
    `(there: id ${there.identity} at ${there.location}; here: id ${here.identity} at ${here.location}). ` +
    "Two stores for one module would split the shop's data: point this process at the same store " +
    `(the same DATABASE_URL or ${moduleDatabaseVariable(module)}; a SQLite file in DATA_DIR can only be shared on its own host), ` +
    'or stop the other process, or use a different NATS_NAMESPACE.'
  );
}
