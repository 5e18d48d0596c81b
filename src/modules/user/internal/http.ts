import { z } from 'zod';
import { listQuery } from '../../../kernel/http/query.ts';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { AddressInput, userContract } from '../contract.ts';

// The edge supplies who is asking (the token) and from where (the client's address).
const { register, login, changePassword, updateProfile } = userContract.methods;

export const userRoutes = defineRoutes((r) => {
  r.post('/api/auth/register', {
    access: 'public',
    summary: 'Create a customer account; answers with a token',
    response: userContract.methods.register.output,
    body: register.input.omit({ clientAddress: true }),
    status: 201,
  }, ({ body, ip, use }) => use(userContract).register({ ...body, clientAddress: ip }));

  r.post('/api/auth/login', { access: 'public', summary: 'Sign in; answers with a token', response: userContract.methods.login.output, body: login.input.omit({ clientAddress: true }) },
    ({ body, ip, use }) => use(userContract).login({ ...body, clientAddress: ip }));

  r.post('/api/auth/logout', { access: 'user', summary: 'Sign out: every token of the caller stops working', status: 204 },
    async ({ user, use }) => {
      await use(userContract).logout({ userId: user.id });
    });

  r.post('/api/users/me/password', {
    access: 'user',
    summary: 'Change the password; answers a new token, every older one stops working',
    response: userContract.methods.changePassword.output,
    body: changePassword.input.omit({ userId: true, clientAddress: true }),
  }, ({ body, user, ip, use }) => use(userContract).changePassword({ userId: user.id, ...body, clientAddress: ip }));

  r.get('/api/users/me', { access: 'user', summary: 'The signed-in user', response: userContract.methods.getUser.output },
    ({ user, use }) => use(userContract).getUser({ userId: user.id }));

  r.patch('/api/users/me', {
    access: 'user',
    summary: 'Change name or preferences',
    response: userContract.methods.updateProfile.output,
    body: updateProfile.input.omit({ userId: true }),
  }, ({ body, user, use }) => use(userContract).updateProfile({ userId: user.id, ...body }));

  r.get('/api/users/me/addresses', { access: 'user', summary: 'Saved addresses', response: userContract.methods.listAddresses.output },
    ({ user, use }) => use(userContract).listAddresses({ userId: user.id }));

  r.post('/api/users/me/addresses', { access: 'user', summary: 'Save an address', response: userContract.methods.addAddress.output, body: AddressInput, status: 201 },
    ({ body, user, use }) => use(userContract).addAddress({ userId: user.id, address: body }));

  r.get('/api/admin/users', {
    access: 'admin',
    summary: 'Back office: find accounts by a part of their email (any case), newest first',
    response: userContract.methods.findUsers.output,
    query: listQuery({ email: z.string().min(1).max(254).optional() }),
  }, ({ query, use }) => use(userContract).findUsers(query));
});
