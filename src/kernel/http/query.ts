import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../contract.ts';

/**
 * Query-string fields arrive as text, so they are the one place where strings are turned into
 * numbers and booleans. Each helper accepts only the canonical spelling ("12", "true"): "1e3",
 * "12abc" or "yes" are a 400, like any other bad input.
 */
export const queryInt = (min: number, max: number) =>
  z.string().regex(/^-?\d{1,15}$/, 'must be an integer').transform(Number).pipe(z.number().int().min(min).max(max));

export const queryBool = () => z.enum(['true', 'false']).transform((v) => v === 'true');

/** A moment: a date (midnight UTC) or an ISO-8601 date-time with its offset; given on as UTC ISO-8601, so it compares as text. */
export const queryInstant = () => z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v).toISOString());

/** `limit` (default 20, max 100) and `offset` (default 0) of every list endpoint. */
export const pagination = {
  limit: queryInt(1, MAX_PAGE_SIZE).default(20),
  offset: queryInt(0, 1_000_000).default(0),
};

/** A query schema with pagination plus the given fields; unknown parameters are a 400. */
export const listQuery = <S extends z.ZodRawShape>(shape: S = {} as S) => z.strictObject({ ...pagination, ...shape });

/** Path parameter `:id`-style schema. */
export const pathParams = <K extends string>(...names: K[]) =>
  z.strictObject(Object.fromEntries(names.map((n) => [n, z.string().min(1).max(200)])) as Record<K, z.ZodString>);
