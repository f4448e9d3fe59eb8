/**
 * Input rules of the directory's writes, shared by the admin CLI (which checks its arguments
 * with them before any write) and the writes in this folder (which check again).
 */
import { SCOPES } from '../../auth/scopes.ts';
import * as z from '../../zod.ts';
import { POST_STATUSES, ROLES, VISIBILITIES } from '../model.ts';

export const directoryInput = {
  name: z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(200, 'must be at most 200 characters'),
    ),
  email: z.email('must be an email address').check(z.maxLength(320)),
  imageUrl: z.string().check(z.trim(), z.minLength(1), z.maxLength(2048)),
  role: z.enum(ROLES),
  visibility: z.enum(VISIBILITIES),
  status: z.enum(POST_STATUSES),
  scopes: z.array(z.enum(SCOPES)).check(z.minLength(1, 'needs at least one scope')),
  epochMs: z.number().check(z.int(), z.nonnegative()),
};
