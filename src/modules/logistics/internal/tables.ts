import * as postgres from './schema.pg.ts';
import * as sqlite from './schema.ts';

/** The logistics module's tables as each engine declares them (tests/kernel/schema-parity.test.ts keeps the two alike). */
export const schemas = { postgres, sqlite };
