/**
 * Zod schemas are the one source of request rules (and of the OpenAPI description); these
 * helpers turn a failed parse into a `validation_error` that names the offending field.
 */
import { ValidationError } from './errors.ts';
import * as z from './zod.ts';

function toValidationError(error: z.core.$ZodError, prefix: string[]): ValidationError {
  const issue = error.issues[0];
  const field = [...prefix, ...(issue?.path ?? []).map(String)].join('.') || 'body';
  return ValidationError.forField(field, `${field}: ${issue?.message ?? 'is invalid'}`);
}

/** Parses one input field with its schema. */
export function parseField<T extends z.core.$ZodType>(
  field: string,
  schema: T,
  value: unknown,
): z.output<T> {
  const result = z.safeParse(schema, value);
  if (!result.success) throw toValidationError(result.error, [field]);
  return result.data;
}

/** Parses a whole request object; the error names the first offending field. */
export function parseRequest<T extends z.core.$ZodType>(schema: T, value: unknown): z.output<T> {
  const result = z.safeParse(schema, value);
  if (!result.success) throw toValidationError(result.error, []);
  return result.data;
}
