import type { FieldError } from '../../kernel/errors.ts';
import type { FormErrors } from '../pages/parts.tsx';

/** The first message per field, keyed by the form's field name. */
export function formErrors(errors: FieldError[]): FormErrors {
  const out: FormErrors = {};
  for (const e of errors) out[e.path.split('.')[0] || 'form'] ??= e.message;
  return out;
}
