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
 * Where `value` stops being plain JSON data — data that JSON.stringify and JSON.parse give back
 * unchanged — or null if it is plain. Class instances (Date, Map, Buffer, your own classes),
 * functions, bigints, NaN/Infinity, `undefined` in arrays and cycles all change or fail on the wire.
 * An `undefined` object property is fine: JSON drops it, which reads back the same.
 */
export function notPlainJson(value: unknown): FieldError | null {
  const ancestors = new Set<object>();
  const at = (path: string[], message: string): FieldError => ({ path: path.join('.') || '(root)', message });
  const visit = (v: unknown, path: string[]): FieldError | null => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
    if (typeof v === 'number') return Number.isFinite(v) ? null : at(path, `${v} is not a JSON number`);
    if (typeof v !== 'object') return at(path, `a ${typeof v} is not JSON data`);
    if (ancestors.has(v)) return at(path, 'a circular reference is not JSON data');
    const isArray = Array.isArray(v);
    const proto = Object.getPrototypeOf(v);
    if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) {
      return at(path, `a ${(v as object).constructor?.name ?? 'class'} instance is not plain JSON data: send its fields as a plain object or string`);
    }
    ancestors.add(v);
    try {
      if (isArray) {
        for (let i = 0; i < (v as unknown[]).length; i++) {
          const item = (v as unknown[])[i];
          const problem = item === undefined ? at([...path, String(i)], 'undefined is not JSON data') : visit(item, [...path, String(i)]);
          if (problem) return problem;
        }
      } else {
        for (const [key, item] of Object.entries(v)) {
          if (item === undefined) continue;
          const problem = visit(item, [...path, key]);
          if (problem) return problem;
        }
      }
      return null;
    } finally {
      ancestors.delete(v);
    }
  };
  return value === undefined ? null : visit(value, []);
}
