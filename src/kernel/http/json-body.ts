import type { Response } from 'express';

/**
 * A frozen body is a read cache's answer, handed out again and again (see calls.ts): it cannot
 * change, so it is serialised once. Lists of products run to kilobytes of JSON per response.
 */
const serialised = new WeakMap<object, string>();

export function sendJson(res: Response, body: unknown): void {
  const frozen = typeof body === 'object' && body !== null && Object.isFrozen(body);
  let json = frozen ? serialised.get(body) : undefined;
  if (json === undefined) {
    json = JSON.stringify(body);
    if (frozen) serialised.set(body, json);
  }
  res.type('application/json').send(json);
}
