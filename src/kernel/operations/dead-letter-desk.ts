import type { Api } from '../contract.ts';
import type { DeadLetterContract, DeadLetterView } from './dead-letter-contract.ts';

export type ShopDeadLetter = DeadLetterView & { module: string };

/**
 * The operator's view of the whole shop's dead letters, from any process: every module with event
 * handlers is asked through its dead-letter contract (in this process, or over the transport where
 * it runs elsewhere), all at once. A module that does not answer is named in `unreachable` rather
 * than failing the whole list: an operator needs the rest most when part of the shop is down.
 */
export class DeadLetterDesk {
  constructor(private readonly modules: ReadonlyMap<string, Api<DeadLetterContract>>) {}

  async list(): Promise<{ items: ShopDeadLetter[]; unreachable: string[] }> {
    const names = [...this.modules.keys()];
    const answers = await Promise.allSettled(names.map((m) => this.modules.get(m)!.deadLetters({})));
    const items: ShopDeadLetter[] = [];
    const unreachable: string[] = [];
    answers.forEach((answer, i) => {
      if (answer.status === 'fulfilled') items.push(...answer.value.items.map((d) => ({ module: names[i], ...d })));
      else unreachable.push(names[i]);
    });
    return { items, unreachable };
  }

  /** Whether `module` is one with event handlers (so it may have dead letters). */
  knows(module: string): boolean {
    return this.modules.has(module);
  }

  /** Queues a dead letter again where its module runs; false when the module has none with this seq. */
  async revive(module: string, seq: number): Promise<boolean> {
    const api = this.modules.get(module);
    return api ? (await api.revive({ seq })).revived : false;
  }
}
