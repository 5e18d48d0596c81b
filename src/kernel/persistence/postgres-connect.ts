import postgres from 'postgres';

export type PostgresClient = postgres.Sql;

export interface PostgresOptions {
  url: string;
  /** Connections in the module's pool. */
  poolSize: number;
}

/** int8 (counts, sequence numbers, epoch milliseconds) as a JS number: every such value here stays below 2^53. */
const INT8_AS_NUMBER = { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) };

/** The schema a module lives in: its name, with `-` as `_` (`order-processing` -> `order_processing`). */
export function schemaOf(module: string): string {
  return module.replaceAll('-', '_');
}

/** Where a URL points, for messages: host, port and database, never the password. */
export function serverOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}

/**
 * Connects with the schema as the search path: the module's tables, declared without a schema,
 * resolve to its own schema, and nothing else is in reach by name.
 */
export function connect(options: PostgresOptions, schema: string, module: string, extra: postgres.Options<Record<string, never>> = {}): PostgresClient {
  return postgres(options.url, {
    max: options.poolSize,
    // postgres.js prepares each distinct statement once per connection and reuses it.
    prepare: true,
    onnotice: () => {},
    types: { bigint: INT8_AS_NUMBER } as never,
    ...extra,
    connection: { search_path: schema, application_name: `cleave:${module}`, ...extra.connection },
  });
}
