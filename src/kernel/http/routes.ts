import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { Api, Contract, Role } from '../contract.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** public: anyone; user: any signed-in user; admin: role admin. */
export type Access = 'public' | 'user' | 'admin';

export interface AuthUser {
  id: string;
  role: Role;
}

/**
 * What a valid token says: who, with which role when it was issued, and the user's token version
 * then. The module that owns accounts bumps the version to revoke every older token (logout, a
 * password change); see `SessionCheck` below.
 */
export interface TokenClaims extends AuthUser {
  version?: number;
}

/**
 * Confirms that a correctly signed token still stands (not revoked by a logout or a password
 * change) and answers with the user as they are now, so a role change applies at once. Given by
 * the module that owns accounts (its `defineModule({ sessionCheck })`); it reaches that module
 * through its contract, so it works whichever process hosts it. Throws `unauthorized` to refuse.
 */
export type SessionCheck = (claims: TokenClaims, use: <C extends Contract>(contract: C) => Api<C>) => Promise<AuthUser>;

export interface RouteRequest<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** Present on routes with access 'user' or 'admin'. */
  user: AuthUser;
  headers: IncomingHttpHeaders;
  /** The exact bytes received (for signatures such as the carrier webhook). */
  rawBody: Buffer | undefined;
  requestId: string;
  ip: string;
  /** Any module's public interface, wherever it runs. */
  use<C extends Contract>(contract: C): Api<C>;
}

/** A response other than the route's default status with the returned body. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** A request header a route reads, for the API's description (the route still checks it itself). */
export interface HeaderParam {
  name: string;
  description: string;
  required: boolean;
}

export interface RouteSpec {
  method: Method;
  path: string;
  access: Access;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** What a successful answer's body holds (OpenAPI); absent for an empty answer (204). */
  response?: z.ZodType;
  headers?: HeaderParam[];
  /** The group the route is listed under in /docs: its module's name (set when the routes are collected). */
  tag?: string;
  /** Status when the handler returns a plain body (default 200; 204 when it returns nothing). */
  status?: number;
  /** Keep the raw request bytes (req.rawBody). */
  raw?: boolean;
  handler: (req: RouteRequest<any, any, any>) => Promise<unknown> | unknown;
}

type Options<B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends z.ZodType | undefined> = {
  access: Access;
  summary: string;
  body?: B;
  query?: Q;
  params?: P;
  response?: z.ZodType;
  headers?: HeaderParam[];
  status?: number;
  raw?: boolean;
};

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteBuilder {
  get<Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
    path: string, options: Options<undefined, Q, P>, handler: (req: RouteRequest<undefined, Out<Q>, Out<P>>) => unknown): void;
  delete<Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
    path: string, options: Options<undefined, Q, P>, handler: (req: RouteRequest<undefined, Out<Q>, Out<P>>) => unknown): void;
  post<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
    path: string, options: Options<B, Q, P>, handler: (req: RouteRequest<Out<B>, Out<Q>, Out<P>>) => unknown): void;
  put<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
    path: string, options: Options<B, Q, P>, handler: (req: RouteRequest<Out<B>, Out<Q>, Out<P>>) => unknown): void;
  patch<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
    path: string, options: Options<B, Q, P>, handler: (req: RouteRequest<Out<B>, Out<Q>, Out<P>>) => unknown): void;
}

/** A module's HTTP routes, declared once; the gateway mounts them whichever process hosts the module. */
export type RouteTable = RouteSpec[];

export function defineRoutes(declare: (r: RouteBuilder) => void): RouteTable {
  const table: RouteSpec[] = [];
  const add = (method: Method) => (path: string, options: Options<any, any, any>, handler: RouteSpec['handler']) =>
    table.push({ method, path, ...options, handler });
  declare({ get: add('get'), post: add('post'), put: add('put'), patch: add('patch'), delete: add('delete') } as RouteBuilder);
  return table;
}
