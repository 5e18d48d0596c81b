import type { NextFunction, Request, Response } from 'express';
import type { Visit } from '../visit.ts';

/**
 * An Express handler for one page. It gets the visitor's `Visit` (made by the storefront's
 * middleware before any page runs); anything it throws goes to the storefront's error page.
 */
export function page(handler: (visit: Visit) => Promise<void>) {
  return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await handler(res.locals.visit as Visit);
    } catch (err) {
      next(err);
    }
  };
}
