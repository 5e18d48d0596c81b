import { z } from 'zod';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { AddressInput, userContract } from '../contract.ts';

const Credentials = z.strictObject({ email: z.string().max(254), password: z.string().max(200) });

export const userRoutes = defineRoutes((r) => {
  r.post('/api/auth/register', {
    access: 'public',
    summary: 'Create a customer account; answers with a token',
    body: z.strictObject({ email: z.email().max(254), password: z.string().min(8).max(200), name: z.string().trim().min(1).max(100) }),
    status: 201,
  }, ({ body, ip, use }) => use(userContract).register({ ...body, clientAddress: ip }));

  r.post('/api/auth/login', { access: 'public', summary: 'Sign in; answers with a token', body: Credentials },
    ({ body, ip, use }) => use(userContract).login({ ...body, clientAddress: ip }));

  r.post('/api/auth/logout', { access: 'user', summary: 'Sign out: every token of the caller stops working', status: 204 },
    async ({ user, use }) => {
      await use(userContract).logout({ userId: user.id });
    });

  r.post('/api/users/me/password', {
    access: 'user',
    summary: 'Change the password; answers a new token, every older one stops working',
    body: z.strictObject({ currentPassword: z.string().max(200), newPassword: z.string().min(8).max(200) }),
  }, ({ body, user, ip, use }) => use(userContract).changePassword({ userId: user.id, ...body, clientAddress: ip }));

  r.get('/api/users/me', { access: 'user', summary: 'The signed-in user' },
    ({ user, use }) => use(userContract).getUser({ userId: user.id }));

  r.patch('/api/users/me', {
    access: 'user',
    summary: 'Change name or preferences',
    body: z.strictObject({
      name: z.string().trim().min(1).max(100).optional(),
      preferences: z.strictObject({ emailNotifications: z.boolean().optional() }).optional(),
    }),
  }, ({ body, user, use }) => use(userContract).updateProfile({ userId: user.id, ...body }));

  r.get('/api/users/me/addresses', { access: 'user', summary: 'Saved addresses' },
    ({ user, use }) => use(userContract).listAddresses({ userId: user.id }));

  r.post('/api/users/me/addresses', { access: 'user', summary: 'Save an address', body: AddressInput, status: 201 },
    ({ body, user, use }) => use(userContract).addAddress({ userId: user.id, address: body }));
});

