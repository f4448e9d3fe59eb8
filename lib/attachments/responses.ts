/**
 * Response shapes of the media endpoints: the OpenAPI description is generated from these, and
 * `present.ts` returns values typed by them, so the documentation and the code cannot disagree.
 * Handlers import only their types, so no Lambda bundle builds these schemas at start.
 */
import { ERROR_CODES } from '../errors.ts';
import { REMOVABLE_METADATA } from '../media/location/remove-location.ts';
import { MEDIA_TYPES } from '../media/media-types.ts';
import { FILE_TYPES } from '../media/types.ts';
import * as z from '../zod.ts';

const integer = () => z.number().check(z.int());
const pixels = () => z.nullable(integer().check(z.minimum(1)));
/** The canonical types uploads are stored as (aliases sent by clients are answered as these). */
const storedMimeType = () => z.enum(MEDIA_TYPES.map((type) => type.canonicalMimeType));

export const listItemSchema = z.object({
  id: z.string(),
  postId: z.string(),
  fileName: z.string(),
  originalFileName: z.string(),
  fileType: z.enum(FILE_TYPES),
  fileSize: integer().check(z.minimum(1), z.describe('bytes of the stored file')),
  mimeType: storedMimeType(),
  url: z.string().check(z.describe('`/api/media/uploads/YYYY/MM/DD/<id without att_>.<ext>`')),
  thumbnailUrl: z
    .nullable(z.string().check(z.describe('`/api/media/thumbnails/YYYY/MM/DD/<id>-<run>.webp`')))
    .check(
      z.describe(
        'WebP, longest side 512 px, of raster images (HEIC included) and PDFs (first page); null until processed and for other types',
      ),
    ),
  width: pixels(),
  height: pixels(),
  duration: z.nullable(z.number().check(z.positive(), z.describe('seconds'))),
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

/**
 * A large file asked for with `X-API-Key`: where to fetch it, instead of a redirect that
 * would carry the key to the storage host (fetch forwards custom headers across origins).
 */
export const downloadLinkSchema = z.object({
  url: z.string().check(z.describe('signed storage URL; send no key header to it')),
  expiresAt: z.string().check(z.describe('ISO 8601 time after which the URL is refused')),
});

export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.optional(z.record(z.string(), z.unknown())),
  }),
});

/** `GET /health`. */
export const healthSchema = z.object({ status: z.enum(['ok', 'unavailable']) });

/** `GET /api/v1/media/limits`: what a client needs to know before it uploads or lists. */
export const limitsSchema = z.object({
  maxUploadBytes: integer().check(z.minimum(1), z.describe('largest file, decoded bytes')),
  maxJsonUploadBytes: integer().check(
    z.minimum(1),
    z.describe(
      'largest file `POST /api/v1/media` carries on a deployed stack (its base64 must fit the ' +
        'platform request limit); larger files go through upload sessions',
    ),
  ),
  fileTypes: z
    .object(
      Object.fromEntries(
        FILE_TYPES.map((fileType) => [fileType, z.array(storedMimeType())]),
      ) as Record<(typeof FILE_TYPES)[number], z.ZodMiniArray<ReturnType<typeof storedMimeType>>>,
    )
    .check(
      z.describe(
        'the MIME types each fileType is stored as; uploads may also declare their common ' +
          'aliases (e.g. `image/jpg`, `audio/x-wav`, `application/lottie+json`), which are ' +
          'stored as these',
      ),
    ),
  pageSize: z.object({
    default: integer().check(z.minimum(1)),
    min: integer().check(z.minimum(1)),
    max: integer().check(z.minimum(1)),
  }),
  rateLimit: z.object({
    enabled: z.boolean(),
    requestsPerMinute: integer().check(
      z.minimum(0),
      z.describe('per API key; 0 when rate limits are off'),
    ),
  }),
});
export type Limits = z.output<typeof limitsSchema>;
