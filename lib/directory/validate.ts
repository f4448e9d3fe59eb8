import type { z } from 'zod';
import { ValidationError } from '../errors.ts';

/** Parses one input field with its schema; a failure names the field. */
export function parseField<T extends z.ZodType>(field: string, schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const reason = result.error.issues[0]?.message ?? 'is invalid';
    throw ValidationError.forField(field, `${field}: ${reason}`);
  }
  return result.data;
}
