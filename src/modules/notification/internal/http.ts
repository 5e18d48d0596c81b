import { defineRoutes } from '../../../kernel/http/routes.ts';
import { listQuery, pathParams } from '../../../kernel/http/query.ts';
import { notificationContract } from '../contract.ts';

export const notificationRoutes = defineRoutes((r) => {
  r.get('/api/notifications', { access: 'user', summary: 'The signed-in user\'s notices, newest first', response: notificationContract.methods.list.output, query: listQuery({}) },
    ({ query, user, use }) => use(notificationContract).list({ userId: user.id, ...query }));

  r.post('/api/notifications/:id/read', { access: 'user', summary: 'Mark one of your notices read', params: pathParams('id') },
    async ({ params, user, use }) => {
      await use(notificationContract).markRead({ userId: user.id, notificationId: params.id });
    });
});
