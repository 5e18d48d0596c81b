import type { Response } from 'express';

/**
 * A frozen body is a read cache's answer, handed out again and again (see calls.ts): it cannot
 * change, so it is serialised once. Lists of products run to kilobytes of JSON per response.
 */
const serialised = new WeakMap<object, string>();

export function sendJson(res: Response, body: unknown): void {
  let json: string;
  if (typeof body === 'object' && body !== null && Object.isFrozen(body)) {
    json = serialised.get(body) ?? JSON.stringify(body);
    if (!serialised.has(body)) serialised.set(body, json);
  } else {
    json = JSON.stringify(body);
  }
  res.type('application/json').send(json);
}
