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

/**
 * `POST /api/v1/media/uploads`: the JSON upload's fields with the file's size (and optionally
 * its SHA-256) instead of its bytes, which go straight to storage.
 */
export const uploadSessionRequestSchema = uploadRequestSchema.omit({ fileData: true }).extend({
  fileSize: z
    .number()
    .int('must be a whole number of bytes')
    .positive('must be at least 1 byte')
    .max(Number.MAX_SAFE_INTEGER),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the SHA-256 of the file as 64 hex characters')
    .transform((hex) => hex.toLowerCase())
    .nullish(),
});
export type UploadSessionRequest = z.output<typeof uploadSessionRequestSchema>;

/** `PUT /api/v1/media/{id}/legal-hold`: exactly `{"enabled": true|false}`, nothing else. */
export const legalHoldRequestSchema = z.strictObject(
  { enabled: z.boolean({ message: 'must be true or false' }) },
  { message: 'only "enabled" is allowed' },
);
export type LegalHoldRequest = z.output<typeof legalHoldRequestSchema>;

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

/* ------------------------------------------------------------------------------------------ */
/* Response shapes: the OpenAPI description is generated from these, and `present.ts` returns  */
/* values typed by them, so the documentation and the code cannot disagree.                    */

const nullableNumber = z.number().nullable();

export const listItemSchema = z.object({
  id: z.string(),
  postId: z.string(),
  fileName: z.string(),
  originalFileName: z.string(),
  fileType: z.enum(FILE_TYPES),
  fileSize: z.number().int(),
  mimeType: z.string(),
  url: z.string(),
  thumbnailUrl: z.string().nullable(),
  width: nullableNumber,
  height: nullableNumber,
  duration: nullableNumber,
  createdAt: z.number().int().describe('epoch milliseconds'),
});
export type ListItem = z.output<typeof listItemSchema>;

export const authorSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  image: z.string().nullable(),
});

export const attachmentDetailSchema = listItemSchema.extend({
  author: authorSchema.nullable(),
  post: z.object({ id: z.string(), title: z.string() }),
  legalHold: z.boolean(),
});
export type AttachmentDetail = z.output<typeof attachmentDetailSchema>;

export const listPageSchema = z.object({
  items: z.array(listItemSchema),
  hasMore: z.boolean(),
  nextCursor: z.string().nullable(),
});

export const uploadSessionSchema = z.object({
  uploadId: z.string(),
  uploadUrl: z.string().describe('Send the file here, with `method` and exactly `headers`'),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()),
  expiresAt: z
    .number()
    .int()
    .describe('epoch milliseconds; uploadUrl accepts no upload that starts later'),
});
export type UploadSessionResponse = z.output<typeof uploadSessionSchema>;

export const deleteResultSchema = z.object({
  id: z.string(),
  deleted: z.literal(true),
  purgeAfter: z.number().int().describe('epoch milliseconds after which the file is purged'),
});

export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
