/**
 * Request schemas of the media endpoints: the single source for validation and for the
 * OpenAPI description (`scripts/openapi.ts`). Written with `zod/mini` (see `lib/zod.ts`):
 * `s.check(z.minLength(1, msg))` is classic `s.min(1, msg)`, `z.nullish(s)` is `s.nullish()`.
 *
 * Each exported schema is a `z.lazy`, built once on its first use: a Lambda function builds
 * only the schema of its own route (routes without a body none) instead of every route's,
 * which together cost ≈ 4 ms of each cold start.
 */
import { FILE_NAME_MAX_LENGTH, fileNameLength } from '../media/file-name.ts';
import { FILE_TYPES } from '../media/types.ts';
import * as z from '../zod.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './read/page-size.ts';

const id = (what: string) =>
  z.string().check(z.minLength(1, `${what} is required`), z.maxLength(64, `${what} is too long`));

const pixels = () => z.nullish(z.number().check(z.int(), z.positive(), z.maximum(1_000_000)));

/**
 * 1–255 code points, counted as `sanitizeFileName` counts when it cuts (file-name.ts), and as
 * JSON Schema's `maxLength` counts, which the description declares (zod's own counts UTF-16).
 */
const fileName = () =>
  z
    .string()
    .check(
      z.minLength(1, 'must be 1–255 characters'),
      z.refine((name: string) => fileNameLength(name) <= FILE_NAME_MAX_LENGTH, {
        message: 'must be 1–255 characters',
      }),
    )
    .register(z.globalRegistry, { maxLength: FILE_NAME_MAX_LENGTH } as z.core.GlobalMeta);

const uploadRequestObject = () =>
  z.object({
    postId: id('postId'),
    fileName: fileName(),
    mimeType: z.string().check(z.minLength(1, 'is required'), z.maxLength(255, 'is too long')),
    /** Base64 (a `data:<mime>;base64,` prefix is accepted). */
    fileData: z.string().check(z.minLength(1, 'must not be empty')),
    width: pixels(),
    height: pixels(),
    duration: z.nullish(z.number().check(z.positive(), z.maximum(1e9))),
  });

export const uploadRequestSchema = z.lazy(uploadRequestObject);
export type UploadRequest = z.output<typeof uploadRequestSchema>;

/**
 * `POST /api/v1/media/uploads`: the JSON upload's fields with the file's size (and optionally
 * its SHA-256) instead of its bytes, which go straight to storage.
 */
export const uploadSessionRequestSchema = z.lazy(() =>
  z.extend(z.omit(uploadRequestObject(), { fileData: true }), {
    fileSize: z
      .number()
      .check(
        z.int('must be a whole number of bytes'),
        z.positive('must be at least 1 byte'),
        z.maximum(Number.MAX_SAFE_INTEGER),
      ),
    sha256: z.nullish(
      z.pipe(
        z
          .string()
          .check(
            z.regex(/^[0-9a-fA-F]{64}$/, 'must be the SHA-256 of the file as 64 hex characters'),
          ),
        z.transform((hex: string) => hex.toLowerCase()),
      ),
    ),
  }),
);
export type UploadSessionRequest = z.output<typeof uploadSessionRequestSchema>;

/** `PUT /api/v1/media/{id}/legal-hold`: exactly `{"enabled": true|false}`, nothing else. */
export const legalHoldRequestSchema = z.lazy(() =>
  z.strictObject(
    { enabled: z.boolean({ message: 'must be true or false' }) },
    { message: 'only "enabled" is allowed' },
  ),
);
export type LegalHoldRequest = z.output<typeof legalHoldRequestSchema>;

const pageSizeMessage = `must be an integer from 1 to ${MAX_PAGE_SIZE}`;

export const listQuerySchema = z.lazy(() =>
  z.object({
    fileType: z.optional(
      z
        .enum(FILE_TYPES, { message: `must be one of ${FILE_TYPES.join(', ')}` })
        .check(z.describe('Only attachments of this kind.')),
    ),
    postId: z.optional(
      id('postId').check(
        z.describe("Only this post's attachments (unknown or invisible post: an empty page)."),
      ),
    ),
    limit: z
      ._default(
        z.pipe(
          z.pipe(
            z.string().check(z.regex(/^[1-9][0-9]{0,2}$/, pageSizeMessage)),
            z.transform(Number),
          ),
          // The bounds of the parsed number are what the OpenAPI description shows (`limit` is
          // described as the integer it parses to, not as the string it arrives as).
          z
            .number()
            .check(
              z.int(),
              z.minimum(1, pageSizeMessage),
              z.maximum(MAX_PAGE_SIZE, pageSizeMessage),
            ),
        ),
        DEFAULT_PAGE_SIZE,
      )
      .check(z.describe('Page size.')),
    cursor: z.optional(
      z.string().check(z.describe('`nextCursor` of the previous page (base64 or base64url)')),
    ),
  }),
);
export type ListQuery = z.output<typeof listQuerySchema>;
