import type { Response } from 'express';
import { AppError, type FieldError } from '../errors.ts';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Sends an RFC 9457 problem document; a 400 always names what was wrong in `errors` (api.md). */
export function sendProblem(res: Response, status: number, detail: string, extra: { errors?: FieldError[]; instance?: string } = {}): void {
  const title = TITLES[status] ?? 'Error';
  const errors = status === 400 && !extra.errors?.length ? [{ path: '(request)', message: detail }] : extra.errors;
  res
    .status(status)
    .type('application/problem+json')
    .json({
      type: `https://cleave.dev/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`,
      title,
      status,
      detail,
      ...(errors ? { errors } : {}),
      ...(extra.instance ? { instance: extra.instance } : {}),
    });
}

export function sendAppError(res: Response, err: AppError, instance?: string): void {
  sendProblem(res, err.status, err.message, { errors: err.errors, instance });
}
