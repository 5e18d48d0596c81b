import type { SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { EventDef, EventEnvelope } from '../contract.ts';
import { settle, type Dialect, type OutboxWriter, type PublishOptions, type SqlDb, type Tx } from './sql.ts';

/** How one engine runs statements on the connection that holds the transaction. */
export interface TxStatements {
  rows<T>(query: SQL): Promise<T[]>;
  changed(query: SQL): Promise<number>;
  statementRows<T>(text: string, params: readonly unknown[]): Promise<T[]>;
  statementChanged(text: string, params: readonly unknown[]): Promise<number>;
}

/**
 * An open transaction, the same on both engines: the engine supplies the drizzle handle bound to
 * the transaction's connection and the way to run raw statements on it.
 */
export class ModuleTx implements Tx {
  private readonly hooks: Array<() => void> = [];
  private published = false;

  constructor(
    readonly dialect: Dialect,
    readonly sql: SqlDb,
    private readonly statements: TxStatements,
    private readonly outbox: OutboxWriter,
  ) {}

  runNow<T>(run: (sql: SqlDb) => T | Promise<T>): Promise<T> {
    return settle(() => run(this.sql));
  }

  rows<T>(query: SQL): Promise<T[]> {
    return this.statements.rows<T>(query);
  }

  changed(query: SQL): Promise<number> {
    return this.statements.changed(query);
  }

  statementRows<T>(text: string, params: readonly unknown[]): Promise<T[]> {
    return this.statements.statementRows<T>(text, params);
  }

  statementChanged(text: string, params: readonly unknown[]): Promise<number> {
    return this.statements.statementChanged(text, params);
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return work(this);
  }

  tables<P>(schemas: { postgres: P; sqlite: unknown }): P {
    return (this.dialect === 'postgres' ? schemas.postgres : schemas.sqlite) as P;
  }

  async publish<E extends EventDef>(def: E, payload: z.input<E['payload']>, options: PublishOptions = {}): Promise<EventEnvelope<z.output<E['payload']>>> {
    const { envelope, insert } = this.outbox.write(def, payload, options);
    await this.statements.statementChanged(insert.text, insert.params);
    this.published = true;
    return envelope;
  }

  afterCommit(run: () => void): void {
    this.hooks.push(run);
  }

  /** Called by the engine once COMMIT succeeded. */
  committed(): void {
    if (this.published) this.outbox.committed();
    for (const run of this.hooks) run();
  }
}
