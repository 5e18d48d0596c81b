import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from '../../tools/temp-dirs.ts';
import { openTestModuleDb } from '../support/engine.ts';
import { freePort } from '../../tools/ports.ts';
import { startRuntime, RECORDS_MIGRATIONS } from '../support/runtime.ts';
import { tillModule } from '../support/event-modules.ts';

describe('PostgreSQL: a server that is not there', () => {
  it('stops the start with a message naming the module, the schema and the server, never the password', async () => {
    const port = await freePort();
    const url = `postgres://shop:s3cret-pw@127.0.0.1:${port}/shop`;
    const start = startRuntime([tillModule], { env: { DATABASE_URL: url } });
    const err = (await start.catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(new RegExp(`Module till could not open its PostgreSQL schema "till" at 127.0.0.1:${port}/shop as "shop"`));
    expect(err.message).not.toContain('s3cret-pw');
  });

  it('tells readiness it is closed once closed, and nothing while it serves', async () => {
    const db = await openTestModuleDb(tempDataDir(), 'ready-check', RECORDS_MIGRATIONS);
    expect(await db.problem()).toBeNull();
    expect(await db.rows(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    await db.close();
    expect(await db.problem()).toBe('closed');
  });
});
