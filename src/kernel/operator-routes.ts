import { z } from 'zod';
import { AppError } from './errors.ts';
import { defineRoutes, type RouteSpec } from './http/routes.ts';
import { DeadLetterView } from './operations/dead-letter-contract.ts';
import type { DeadLetterDesk } from './operations/dead-letter-desk.ts';

/**
 * The operator's HTTP routes every process serves (admin only): the dead letters of every module
 * of the shop, wherever it runs, and queueing one again (see DeadLetterDesk).
 */
export function deadLetterRoutes(desk: DeadLetterDesk): RouteSpec[] {
  const routes = defineRoutes((r) => {
    r.get('/api/admin/dead-letters', {
      access: 'admin',
      summary: "Events whose handler gave up, of every module wherever it runs ('unreachable' names modules that did not answer)",
      response: z.object({ items: z.array(DeadLetterView.extend({ module: z.string() })), unreachable: z.array(z.string()) }),
    }, () => desk.list());
    r.post(
      '/api/admin/dead-letters/:module/:seq/retry',
      {
        access: 'admin',
        summary: 'Queue a dead event again, in the process that hosts its module',
        params: z.strictObject({ module: z.string().max(100), seq: z.coerce.number().int() }),
        response: z.object({ status: z.literal('queued') }),
      },
      async ({ params }) => {
        if (!desk.knows(params.module)) throw new AppError('not_found', `No module ${params.module} with event handlers`);
        if (!(await desk.revive(params.module, params.seq))) throw new AppError('not_found', 'No such dead letter');
        return { status: 'queued' };
      },
    );
  });
  return routes.map((route) => ({ ...route, tag: 'operations' }));
}
