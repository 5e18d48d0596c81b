/**
 * `db:move` will not go ahead, for a reason the operator can act on (a missing file, a schema that
 * already holds rows, a copy that does not match its source). The message says what and what to
 * do; the command prints it without a stack trace.
 */
export class MoveRefused extends Error {
  override readonly name = 'MoveRefused';
}
