/**
 * What goes back on the wire: a handler's structured result, validated, or one of the
 * adapter's own answers in the JSON error envelope.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type ApiError,
  type ErrorEnvelope,
  PayloadTooLargeError,
  toErrorResponse,
} from '../lib/errors.ts';

export interface OutgoingResponse {
  statusCode: number;
  headers: Array<[string, string | string[]]>;
  body: Buffer;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a handler's structured result and turns it into what goes on the wire. Anything
 * that is not a `{ statusCode, headers?, cookies?, body?, isBase64Encoded? }` with sane types
 * throws, and the adapter answers 500.
 */
export function toOutgoingResponse(result: unknown): OutgoingResponse {
  if (!isPlainObject(result)) throw new Error('handler result is not an object');
  const { statusCode, headers, cookies, body, isBase64Encoded } =
    result as APIGatewayProxyStructuredResultV2;
  if (
    !Number.isInteger(statusCode) ||
    (statusCode as number) < 100 ||
    (statusCode as number) > 599
  ) {
    throw new Error(`handler result has an invalid statusCode: ${String(statusCode)}`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new Error('handler result body is not a string');
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') {
    throw new Error('handler result isBase64Encoded is not a boolean');
  }
  const out: Array<[string, string | string[]]> = [];
  const setCookies: string[] = [];
  if (headers !== undefined && headers !== null) {
    if (!isPlainObject(headers)) throw new Error('handler result headers is not an object');
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || value === null) continue;
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw new Error(`handler result header ${name} is not a string`);
      }
      const text = String(value);
      validateHeaderName(name);
      validateHeaderValue(name, text);
      if (name.toLowerCase() === 'set-cookie') setCookies.push(text);
      else out.push([name, text]);
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) {
      throw new Error('handler result cookies is not a list of strings');
    }
    for (const cookie of cookies) validateHeaderValue('set-cookie', cookie);
    setCookies.push(...cookies);
  }
  if (setCookies.length > 0) out.push(['set-cookie', setCookies]);
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode: statusCode as number,
    headers: out,
    body: isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

function envelopeResponse(
  statusCode: number,
  envelope: ErrorEnvelope,
  extraHeaders: Array<[string, string]> = [],
): OutgoingResponse {
  return {
    statusCode,
    headers: [
      ['content-type', 'application/json; charset=utf-8'],
      ['cache-control', 'no-store'],
      ...extraHeaders,
    ],
    body: Buffer.from(JSON.stringify(envelope)),
  };
}

/** An adapter answer that one of the API's errors describes (status, envelope, headers). */
export function apiErrorResponse(error: ApiError): OutgoingResponse {
  const { statusCode, body, headers } = toErrorResponse(error);
  return envelopeResponse(statusCode, body, Object.entries(headers));
}

export function errorResponse(
  statusCode: number,
  code: string,
  message: string,
  extraHeaders: Array<[string, string]> = [],
): OutgoingResponse {
  return envelopeResponse(statusCode, { error: { code, message } }, extraHeaders);
}

/**
 * `GET /health` while the stack is still getting ready (seeding the demo workspace): the
 * health handler's own 503 shape, so a script polling health sees one kind of "not yet".
 */
export function notReady(): OutgoingResponse {
  return {
    statusCode: 503,
    headers: [
      ['content-type', 'application/json; charset=utf-8'],
      ['cache-control', 'no-store'],
      ['retry-after', '1'],
    ],
    body: Buffer.from(JSON.stringify({ status: 'starting' })),
  };
}

export function internalError(): OutgoingResponse {
  const { statusCode, body } = toErrorResponse(new Error('adapter'));
  return envelopeResponse(statusCode, body);
}

export function payloadTooLarge(limitBytes: number, sizeBytes: number | null): OutgoingResponse {
  return apiErrorResponse(
    new PayloadTooLargeError(
      `The request body is larger than the ${limitBytes} bytes this API accepts. Larger files need an upload session (POST /api/v1/media/uploads).`,
      limitBytes,
      sizeBytes,
    ),
  );
}
