import type { z } from 'zod';
import { AppError, type FieldError } from './errors.ts';

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    // An unknown key is reported at its parent; name each key itself so the client sees which field is wrong.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: path.join('.') || '(root)', message: issue.message }];
  });
}

/** Parses `value` or throws a `validation` AppError naming each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'input'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('validation', `Invalid ${what}`, fieldErrors(result.error));
}

/**
 * The first string holding U+0000, which PostgreSQL cannot store in text: a call's input with one
 * is refused alike on both engines, as bad input, before any store sees it. Runs on every call:
 * a plain walk that builds the field's path only once it has found one. For plain JSON data only
 * (`notPlainJson` first): a cycle would never end.
 */
export function nulCharacter(value: unknown): FieldError | null {
  const path: string[] = [];
  return holdsNul(value, path) ? { path: path.reverse().join('.') || '(root)', message: 'text may not contain the NUL character (U+0000)' } : null;
}

/** Whether a string below `v` holds U+0000; if so, `path` holds its location, innermost key first. */
function holdsNul(v: unknown, path: string[]): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (typeof v !== 'object' || v === null) return false;
  for (const key in v) {
    if (holdsNul((v as Record<string, unknown>)[key], path)) {
      path.push(key);
      return true;
    }
  }
  return false;
}

/**
 * Where `value` stops being plain JSON data — data that JSON.stringify and JSON.parse give back
 * unchanged — or null if it is plain. Class instances (Date, Map, Buffer, your own classes),
 * functions, bigints, NaN/Infinity, `undefined` in arrays and cycles all change or fail on the wire.
 * An `undefined` object property is fine: JSON drops it, which reads back the same.
 * Runs on every call, so it is a plain recursive walk: no closures or allocations per value.
 */
export function notPlainJson(value: unknown): FieldError | null {
  if (value === undefined) return null;
  const path: string[] = [];
  const message = firstProblem(value, path, []);
  return message === null ? null : { path: path.join('.') || '(root)', message };
}

/** The first problem below `v`, leaving its location in `path`; `ancestors` detects cycles. */
function firstProblem(v: unknown, path: string[], ancestors: object[]): string | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${v} is not a JSON number`;
  if (typeof v !== 'object') return `a ${typeof v} is not JSON data`;
  if (ancestors.includes(v)) return 'a circular reference is not JSON data';
  const isArray = Array.isArray(v);
  const proto = Object.getPrototypeOf(v);
  if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) {
    return `a ${(v as object).constructor?.name ?? 'class'} instance is not plain JSON data: send its fields as a plain object or string`;
  }
  ancestors.push(v);
  if (isArray) {
    const items = v as unknown[];
    for (let i = 0; i < items.length; i++) {
      path.push(String(i));
      const problem = items[i] === undefined ? 'undefined is not JSON data' : firstProblem(items[i], path, ancestors);
      if (problem !== null) return problem;
      path.pop();
    }
  } else {
    for (const key in v) {
      const item = (v as Record<string, unknown>)[key];
      if (item === undefined) continue;
      path.push(key);
      const problem = firstProblem(item, path, ancestors);
      if (problem !== null) return problem;
      path.pop();
    }
  }
  ancestors.pop();
  return null;
}

/** Freezes `value` and everything below it (plain data only); returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const item of Object.values(value)) deepFreeze(item);
  return Object.freeze(value);
}
