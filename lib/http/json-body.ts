/**
 * Parses a JSON request body into `context.jsonBody`. Written here rather than taken from
 * @middy/http-json-body-parser because the contract needs what that one does not do: a 400
 * `validation_error` (it answers 415), strict UTF-8 (invalid bytes are an error, not U+FFFD),
 * and no copy of the body (it may be a 67 MB file) in the error's cause.
 */
import type { MiddlewareObj } from '@middy/core';
import { UnsupportedMediaTypeError, ValidationError } from '../errors.ts';
import { parseJsonWithLargeString } from './large-json-string.ts';
import type { ApiContext, ApiEvent, ApiResult } from './types.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeBodyText(event: ApiEvent): string {
  const raw = event.body ?? '';
  if (!event.isBase64Encoded) return raw;
  try {
    return strictUtf8.decode(Buffer.from(raw, 'base64'));
  } catch {
    throw ValidationError.forField('body', 'The request body is not valid UTF-8.');
  }
}

/** `application/json` or a `+json` type, any parameters; payload 2.0 header names are lower case. */
function assertJsonContentType(event: ApiEvent): void {
  const declared = event.headers?.['content-type'];
  if (declared === undefined) return; // no type said: taken for JSON, as curl --json-less clients send
  const type = (declared.split(';', 1)[0] ?? '').trim().toLowerCase();
  if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return;
  throw new UnsupportedMediaTypeError(
    `The body must be sent as application/json, not "${type.slice(0, 100) || declared.slice(0, 100)}".`,
  );
}

export interface JsonBodyOptions {
  /**
   * A top-level string field that may be huge (a base64 file): it is taken as a slice of the
   * body instead of being copied by `JSON.parse` (see `large-json-string.ts`).
   */
  largeStringField?: string;
}

/** Bodies parsed already (by a route's read-ahead, before authentication): parsed once. */
const parsedBodies = new WeakMap<ApiEvent, Record<string, unknown>>();

/** The body as a JSON object; a 400/415 when it is not one. */
function parseBodyObject(event: ApiEvent, options: JsonBodyOptions): Record<string, unknown> {
  const known = parsedBodies.get(event);
  if (known) return known;
  assertJsonContentType(event);
  const text = decodeBodyText(event);
  if (text.trim() === '') {
    throw ValidationError.forField('body', 'The request body must be a JSON object.');
  }
  let parsed: unknown;
  try {
    parsed = options.largeStringField
      ? parseJsonWithLargeString(text, options.largeStringField)
      : JSON.parse(text);
  } catch {
    throw ValidationError.forField('body', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ValidationError.forField('body', 'The request body must be a JSON object.');
  }
  const object = parsed as Record<string, unknown>;
  parsedBodies.set(event, object);
  return object;
}

/**
 * The body's JSON object, or undefined when it is not one; never throws. For a route's
 * read-ahead (`RoutePrefetch`), which runs before authentication: what is wrong with the body
 * is reported by `jsonBody` after it, so a caller without a valid key still gets 401. The
 * parse is not repeated: `jsonBody` takes its result.
 */
export function peekJsonBody(
  event: ApiEvent,
  options: JsonBodyOptions = {},
): Record<string, unknown> | undefined {
  try {
    return parseBodyObject(event, options);
  } catch {
    return undefined;
  }
}

export function jsonBody(
  options: JsonBodyOptions = {},
): MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> {
  return {
    before: (request) => {
      request.context.jsonBody = parseBodyObject(request.event, options);
    },
  };
}
