/**
 * Request schemas of the media endpoints: the single source for validation and for the
 * OpenAPI description (`scripts/openapi.ts`).
 */
import { z } from 'zod';
import { FILE_TYPES } from '../media/types.ts';

const id = (what: string) =>
  z.string().min(1, `${what} is required`).max(64, `${what} is too long`);

export const uploadRequestSchema = z.object({
  postId: id('postId'),
  fileName: z.string().min(1, 'must be 1–255 characters').max(255, 'must be 1–255 characters'),
  mimeType: z.string().min(1, 'is required').max(255, 'is too long'),
  /** Base64 (a `data:<mime>;base64,` prefix is accepted). */
  fileData: z.string().min(1, 'must not be empty'),
  width: z.number().int().positive().max(1_000_000).nullish(),
  height: z.number().int().positive().max(1_000_000).nullish(),
  duration: z.number().positive().max(1e9).nullish(),
});
export type UploadRequest = z.output<typeof uploadRequestSchema>;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export const listQuerySchema = z.object({
  fileType: z.enum(FILE_TYPES, { message: `must be one of ${FILE_TYPES.join(', ')}` }).optional(),
  postId: id('postId').optional(),
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, `must be an integer from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().max(MAX_PAGE_SIZE, `must be an integer from 1 to ${MAX_PAGE_SIZE}`))
    .default(DEFAULT_PAGE_SIZE),
  cursor: z.string().optional(),
});
export type ListQuery = z.output<typeof listQuerySchema>;
