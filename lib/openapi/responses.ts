/**
 * Building blocks of operations: response objects with their headers and the error answers
 * every operation of a kind shares (a keyed route can answer 401 and 429, a POST 422, …).
 */
import { ERROR_STATUS } from '../errors.ts';
import { HEADER_COMPONENTS, type HeaderName } from './headers.ts';
import { errorSchemaFor, type JsonSchema, type SchemaName, schemaRef } from './schemas.ts';

export type HeaderUse = HeaderName | { header: HeaderName; required: false };

export interface ResponseSpec {
  description: string;
  /** A JSON body of this schema. */
  json?: SchemaName;
  /** Other bodies: media type → schema. */
  content?: Record<string, JsonSchema>;
  headers?: HeaderUse[];
}

/** What an operation is, for the headers and errors every response of it gets. */
export interface OperationTraits {
  /** Needs an API key (401, 403, 429; rate-limit headers). */
  keyed: boolean;
  /** POST: takes `Idempotency-Key` (422; `Idempotent-Replayed`). */
  idempotent: boolean;
}

function headersObject(uses: HeaderUse[]) {
  const headers: Record<string, unknown> = {};
  for (const use of uses) {
    const [name, required] = typeof use === 'string' ? [use, true] : [use.header, use.required];
    // Inline, not `$ref`: whether a header is required depends on the response.
    const { name: sent, description, schema } = HEADER_COMPONENTS[name];
    headers[sent] = { description, required, schema };
  }
  return headers;
}

/** Headers on every response of an operation with these traits. */
function commonHeaders(traits: OperationTraits): HeaderUse[] {
  return [
    'RequestId',
    'CacheControl',
    ...(traits.keyed
      ? ([
          { header: 'RateLimit', required: false },
          { header: 'RateLimitPolicy', required: false },
        ] as const)
      : []),
    ...(traits.idempotent ? ([{ header: 'IdempotentReplayed', required: false }] as const) : []),
  ];
}

export function response(spec: ResponseSpec, traits: OperationTraits) {
  const content = spec.json
    ? { 'application/json': { schema: schemaRef(spec.json) } }
    : spec.content &&
      Object.fromEntries(Object.entries(spec.content).map(([type, schema]) => [type, { schema }]));
  return {
    description: spec.description,
    headers: headersObject([...commonHeaders(traits), ...(spec.headers ?? [])]),
    ...(content ? { content } : {}),
  };
}

/** An error answer: the envelope with the codes of that status. */
export function errorResponse(
  status: number,
  description: string,
  traits: OperationTraits,
  headers: HeaderUse[] = [],
) {
  if (!Object.values(ERROR_STATUS).includes(status as never)) {
    throw new Error(`no error code is answered with ${status} (lib/errors.ts)`);
  }
  return response(
    { description, content: { 'application/json': errorSchemaFor(status) }, headers },
    traits,
  );
}

/** Error answers an operation gives without saying so itself. */
export function defaultErrors(traits: OperationTraits, hasBody: boolean) {
  const errors: Record<string, ReturnType<typeof errorResponse>> = {};
  if (hasBody) {
    errors['400'] = errorResponse(
      400,
      'The body is not a valid JSON object of this shape; `details.field` names the field.',
      traits,
    );
    errors['413'] = errorResponse(413, 'The request body is larger than the API accepts.', traits);
    errors['415'] = errorResponse(415, 'The body is not sent as `application/json`.', traits);
  }
  if (traits.keyed) {
    errors['401'] = errorResponse(
      401,
      'API key missing, malformed, unknown, revoked or expired.',
      traits,
      ['WWWAuthenticate'],
    );
    errors['403'] = errorResponse(
      403,
      "The key is valid but lacks the route's scope, or its owner left the workspace.",
      traits,
    );
    errors['429'] = errorResponse(429, 'Too many requests with this API key.', traits, [
      'RetryAfter',
    ]);
  }
  if (traits.idempotent) {
    errors['422'] = errorResponse(
      422,
      'This `Idempotency-Key` was used with another body (`idempotency_key_reused`).',
      traits,
    );
  }
  errors['405'] = errorResponse(405, 'The path exists, with other methods (`Allow`).', traits, [
    'Allow',
  ]);
  errors['500'] = errorResponse(500, 'Unexpected error; nothing was changed or lost.', traits);
  return errors;
}
