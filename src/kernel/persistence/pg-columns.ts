import { customType } from 'drizzle-orm/pg-core';

/**
 * PostgreSQL twin of sqlite-core's `text(name, { mode: 'json' })`: the column is plain `text` (not
 * json/jsonb), so both engines hold the same JSON string, and drizzle (de)serializes it the same way.
 */
export function jsonText<T>(name: string) {
  return customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => JSON.parse(value) as T,
  })(name);
}
