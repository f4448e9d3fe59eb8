/**
 * The one set of API errors. Each class fixes the HTTP status and the snake_case code of
 * media-api.md §3; the error middleware turns them into the JSON envelope. Anything that is
 * not an `ApiError` becomes `500 internal_error` without details.
 */

export type ErrorDetails = Record<string, unknown>;

/**
 * Every error code the API answers with and its status: the closed set of media-api.md §3, plus
 * `method_not_allowed` for a path that exists with other methods (405, with `Allow`) and
 * `range_not_satisfiable` for a `Range` outside a file (416). The
 * OpenAPI description's `code` enums are built from this table.
 */
export const ERROR_STATUS = {
  validation_error: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  legal_hold: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The codes answered with `status`. */
export const errorCodesFor = (status: number): ErrorCode[] =>
  ERROR_CODES.filter((code) => ERROR_STATUS[code] === status);

export abstract class ApiError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: ErrorCode;
  /** Middy's convention: errors with `expose` may show their message to the client. */
  readonly expose = true;
  /** Response headers that belong to this answer (a 401's challenge, a 429's `Retry-After`). */
  readonly headers: Record<string, string> = {};

  constructor(
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends ApiError {
  readonly statusCode = 400;
  readonly code = 'validation_error';

  /** `field` names the offending request field (media-api.md §3: details for 400s). */
  static forField(field: string, message: string): ValidationError {
    return new ValidationError(message, { field });
  }
}

export class InvalidCursorError extends ApiError {
  readonly statusCode = 400;
  readonly code = 'invalid_cursor';
  constructor(message = 'cursor is not a valid pagination cursor') {
    super(message, { field: 'cursor' });
  }
}

export class UnauthorizedError extends ApiError {
  readonly statusCode = 401;
  readonly code = 'unauthorized';
  // RFC 9110 §15.5.2: a 401 names the scheme that would work (the key also works as X-API-Key).
  override readonly headers = { 'www-authenticate': 'Bearer' };
}

export class ForbiddenError extends ApiError {
  readonly statusCode = 403;
  readonly code = 'forbidden';
}

export class NotFoundError extends ApiError {
  readonly statusCode = 404;
  readonly code = 'not_found';
}

/** The path exists, under other methods: `Allow` lists them (RFC 9110 §15.5.6). */
export class MethodNotAllowedError extends ApiError {
  readonly statusCode = 405;
  readonly code = 'method_not_allowed';
  override readonly headers: Record<string, string>;
  constructor(message: string, allow: string) {
    super(message);
    this.headers = { allow };
  }
}

export class LegalHoldError extends ApiError {
  readonly statusCode = 409;
  readonly code = 'legal_hold';
}

export class PayloadTooLargeError extends ApiError {
  readonly statusCode = 413;
  readonly code = 'payload_too_large';
  constructor(message: string, limitBytes: number, sizeBytes: number | null) {
    super(message, { limitBytes, sizeBytes });
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  readonly statusCode = 415;
  readonly code = 'unsupported_media_type';
}

/** A `Range` entirely outside the file: the answer says how large it is (RFC 9110 §15.5.17). */
export class RangeNotSatisfiableError extends ApiError {
  readonly statusCode = 416;
  readonly code = 'range_not_satisfiable';
  override readonly headers: Record<string, string>;
  constructor(sizeBytes: number) {
    super(`The requested range is outside the file (${sizeBytes} bytes).`, { sizeBytes });
    this.headers = { 'content-range': `bytes */${sizeBytes}` };
  }
}

/** `Idempotency-Key` sent again with another request (body, route or attachment). */
export class IdempotencyKeyReusedError extends ApiError {
  readonly statusCode = 422;
  readonly code = 'idempotency_key_reused';
}

/** Over the per-key rate limit; `Retry-After` says when the next window opens. */
export class RateLimitedError extends ApiError {
  readonly statusCode = 429;
  readonly code = 'rate_limited';
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { retryAfterSeconds });
  }
}

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: ErrorDetails };
}

/** Maps any thrown value to a status and envelope; unknown errors never leak internals. */
export function toErrorResponse(error: unknown): {
  statusCode: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
} {
  if (error instanceof ApiError) {
    const body: ErrorEnvelope = { error: { code: error.code, message: error.message } };
    if (error.details) body.error.details = error.details;
    return { statusCode: error.statusCode, body, headers: { ...error.headers } };
  }
  return {
    headers: {},
    statusCode: 500,
    body: { error: { code: 'internal_error', message: 'Something went wrong on our side.' } },
  };
}
