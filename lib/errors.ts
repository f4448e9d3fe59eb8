/**
 * The one set of API errors. Each class fixes the HTTP status and the snake_case code of
 * media-api.md §3; the error middleware turns them into the JSON envelope. Anything that is
 * not an `ApiError` becomes `500 internal_error` without details.
 */

export type ErrorDetails = Record<string, unknown>;

export abstract class ApiError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
  /** Middy's convention: errors with `expose` may show their message to the client. */
  readonly expose = true;

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
}

export class ForbiddenError extends ApiError {
  readonly statusCode = 403;
  readonly code = 'forbidden';
}

export class NotFoundError extends ApiError {
  readonly statusCode = 404;
  readonly code = 'not_found';
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
export function toErrorResponse(error: unknown): { statusCode: number; body: ErrorEnvelope } {
  if (error instanceof ApiError) {
    const body: ErrorEnvelope = { error: { code: error.code, message: error.message } };
    if (error.details) body.error.details = error.details;
    return { statusCode: error.statusCode, body };
  }
  return {
    statusCode: 500,
    body: { error: { code: 'internal_error', message: 'Something went wrong on our side.' } },
  };
}
