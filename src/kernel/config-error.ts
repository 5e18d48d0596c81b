/** A configuration the process cannot start with; its message is one line a user can act on (exit code 2). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
