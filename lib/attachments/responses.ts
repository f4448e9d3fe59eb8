/**
 * Response shapes of the media endpoints: the OpenAPI description is generated from these, and
 * `present.ts` returns values typed by them, so the documentation and the code cannot disagree.
 * Handlers import only their types, so no Lambda bundle builds these schemas at start.
 */
import { REMOVABLE_METADATA } from '../media/location/remove-location.ts';
import { FILE_TYPES } from '../media/types.ts';
import * as z from '../zod.ts';

const nullableNumber = z.nullable(z.number());
const integer = () => z.number().check(z.int());

export const listItemSchema = z.object({
  id: z.string(),
  postId: z.string(),
  fileName: z.string(),
  originalFileName: z.string(),
  fileType: z.enum(FILE_TYPES),
  fileSize: integer(),
  mimeType: z.string(),
  url: z.string(),
  thumbnailUrl: z
    .nullable(z.string())
    .check(
      z.describe(
        'WebP, longest side 512 px: raster images (HEIC included) and PDFs (first page); null until processed and for other types',
      ),
    ),
  placeholder: z
    .nullable(
      z.object({
        blurhash: z.string().check(z.describe('BlurHash (https://blurha.sh) of the thumbnail')),
        color: z.string().check(z.describe('average colour of the thumbnail, #rrggbb')),
      }),
    )
    .check(z.describe('Paint this until the thumbnail loads; null while and where there is none')),
  metadataRemoved: z
    .array(z.enum(REMOVABLE_METADATA))
    .check(
      z.describe(
        'What was removed from the stored original: "location" (GPS metadata of an image) or nothing',
      ),
    ),
  width: nullableNumber,
  height: nullableNumber,
  duration: nullableNumber,
  createdAt: integer().check(z.describe('epoch milliseconds')),
});
export type ListItem = z.output<typeof listItemSchema>;

export const authorSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  image: z.nullable(z.string()),
});

export const attachmentDetailSchema = z.extend(listItemSchema, {
  author: z.nullable(authorSchema),
  post: z.object({ id: z.string(), title: z.string() }),
  legalHold: z.boolean(),
});
export type AttachmentDetail = z.output<typeof attachmentDetailSchema>;

export const listPageSchema = z.object({
  items: z.array(listItemSchema),
  hasMore: z.boolean(),
  nextCursor: z.nullable(z.string()),
});

export const uploadSessionSchema = z.object({
  uploadId: z.string(),
  uploadUrl: z
    .string()
    .check(z.describe('Send the file here, with `method` and exactly `headers`')),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()),
  expiresAt: integer().check(
    z.describe('epoch milliseconds; uploadUrl accepts no upload that starts later'),
  ),
});
export type UploadSessionResponse = z.output<typeof uploadSessionSchema>;

export const deleteResultSchema = z.object({
  id: z.string(),
  deleted: z.literal(true),
  purgeAfter: integer().check(z.describe('epoch milliseconds after which the file is purged')),
});

export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.optional(z.record(z.string(), z.unknown())),
  }),
});
