import { z } from 'zod';
import { AppError } from './errors.ts';
import type { DeadLetter } from './events/inbox.ts';
import { defineRoutes, type RouteSpec } from './http/routes.ts';

/** What the operator routes need of the runtime: this process's dead letters, and a way to queue one again. */
export interface DeadLetterDesk {
  list(): Promise<Array<DeadLetter & { module: string }>>;
  /** False when the module is not hosted here or has no such dead letter. */
  revive(module: string, seq: number): Promise<boolean>;
}

/** The operator's HTTP routes every process serves (admin only): dead letters of the modules it hosts. */
export function deadLetterRoutes(desk: DeadLetterDesk): RouteSpec[] {
  return defineRoutes((r) => {
    r.get('/api/admin/dead-letters', { access: 'admin', summary: 'Events whose handler gave up, per module hosted here' }, async () => ({
      items: await desk.list(),
    }));
    r.post(
      '/api/admin/dead-letters/:module/:seq/retry',
      { access: 'admin', summary: 'Queue a dead event again', params: z.strictObject({ module: z.string(), seq: z.coerce.number().int() }) },
      async ({ params }) => {
        if (!(await desk.revive(params.module, params.seq))) throw new AppError('not_found', 'No such dead letter');
        return { status: 'queued' };
      },
    );
  });
}
