/**
 * The response headers of the API, described once: the OpenAPI description refers to these
 * components, and the code that sets a header takes its name from here where it is ours.
 */

export const HEADER = {
  requestId: 'x-request-id',
  idempotentReplayed: 'idempotent-replayed',
  rateLimit: 'ratelimit',
  rateLimitPolicy: 'ratelimit-policy',
} as const;

type HeaderSchema = Record<string, unknown>;

interface HeaderComponent {
  /** The header's name as sent (description keys are case-insensitive; we use the usual case). */
  name: string;
  description: string;
  schema: HeaderSchema;
}

const text = { type: 'string' } as const;

/** Every response header of the API, by the name operations use for it. */
export const HEADER_COMPONENTS = {
  RequestId: {
    name: 'x-request-id',
    description: 'Identifies the request in the service logs; quote it when reporting a problem.',
    schema: text,
  },
  CacheControl: {
    name: 'Cache-Control',
    description:
      '`no-store` on JSON answers; `private, max-age=…, immutable` on files and thumbnails ' +
      '(their URL never changes meaning); `private, no-cache` where an ETag revalidates.',
    schema: text,
  },
  Vary: {
    name: 'Vary',
    description:
      'A kept copy of a file is valid for the same key header only: another key may not see it.',
    schema: { type: 'string', enum: ['authorization, x-api-key'] },
  },
  Location: {
    name: 'Location',
    description: 'The created attachment (`/api/v1/media/{id}`), or where to fetch a file.',
    schema: { type: 'string', format: 'uri-reference' },
  },
  ETag: {
    name: 'ETag',
    description: 'Strong validator: the SHA-256 of the representation, hex, quoted.',
    schema: { type: 'string', pattern: '^"[0-9a-f]{64}"$' },
  },
  AcceptRanges: {
    name: 'Accept-Ranges',
    description: 'Byte ranges of this file can be requested with `Range`.',
    schema: { type: 'string', enum: ['bytes'] },
  },
  ContentRange: {
    name: 'Content-Range',
    description: 'The range sent (`bytes first-last/size`), or the size on 416 (`bytes */size`).',
    schema: { type: 'string', pattern: '^bytes ([0-9]+-[0-9]+|\\*)/[0-9]+$' },
  },
  ContentDisposition: {
    name: 'Content-Disposition',
    description:
      '`inline` with the file name, or `attachment` for types a browser could execute (SVG, PDF).',
    schema: text,
  },
  ContentSecurityPolicy: {
    name: 'Content-Security-Policy',
    description:
      'Files are sandboxed (nothing in them runs in the API origin); the reference page loads ' +
      'from this origin only.',
    schema: text,
  },
  ContentTypeOptions: {
    name: 'X-Content-Type-Options',
    description: 'Browsers must not guess another type than the one declared.',
    schema: { type: 'string', enum: ['nosniff'] },
  },
  CrossOriginResourcePolicy: {
    name: 'Cross-Origin-Resource-Policy',
    description: 'Other origins cannot embed the file.',
    schema: text,
  },
  WWWAuthenticate: {
    name: 'WWW-Authenticate',
    description: 'The API takes a Bearer API key (or the same key in `X-API-Key`).',
    schema: { type: 'string', pattern: '^Bearer' },
  },
  RetryAfter: {
    name: 'Retry-After',
    description: 'Seconds to wait before the next request is accepted.',
    schema: { type: 'integer', minimum: 0 },
  },
  RateLimit: {
    name: 'RateLimit',
    description:
      "The caller's remaining quota and when it resets (IETF draft RateLimit header fields); " +
      'present when rate limits are on.',
    schema: text,
  },
  RateLimitPolicy: {
    name: 'RateLimit-Policy',
    description:
      'The quota policy of the API key (IETF draft RateLimit header fields); present when ' +
      'rate limits are on.',
    schema: text,
  },
  IdempotentReplayed: {
    name: 'Idempotent-Replayed',
    description:
      'This answer is the stored first answer to the same `Idempotency-Key` and body, replayed.',
    schema: { type: 'string', enum: ['true'] },
  },
  Allow: {
    name: 'Allow',
    description: 'The methods this path answers.',
    schema: text,
  },
} as const satisfies Record<string, HeaderComponent>;

export type HeaderName = keyof typeof HEADER_COMPONENTS;
