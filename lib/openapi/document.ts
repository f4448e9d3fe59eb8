/**
 * The OpenAPI 3.1 description of the API: one operation per route of `lib/http/routes.ts`
 * (`operations.ts`), bodies from the zod schemas that validate and type them (`schemas.ts`),
 * headers described once (`headers.ts`). Served at `GET /openapi.json`; `npm run openapi`
 * prints it; `npm test` lints it (Redocly, Spectral) and validates every response of the
 * integration suite against it.
 */
import { routes } from '../http/routes.ts';
import { OPERATIONS, type OperationSpec, TAGS } from './operations.ts';
import { defaultErrors, errorResponse, type OperationTraits, response } from './responses.ts';
import { type SchemaOptions, schemaComponents, schemaRef } from './schemas.ts';

export type OpenApiOptions = SchemaOptions;

const API_DESCRIPTION = `Media files attached to posts in a workspace: upload, list, fetch, delete, legal holds and
restores. Every \`/api/...\` request needs an API key, as \`Authorization: Bearer pf_live_…\` or
\`X-API-Key: pf_live_…\`; the key's scopes, its owner's membership and role are checked live on
every request.

Errors are always JSON, \`{"error": {"code", "message", "details?"}}\`, with an \`x-request-id\`
header; \`code\` is one of a closed set (see the \`Error\` schema).`;

function operationObject(method: string, spec: OperationSpec) {
  const traits: OperationTraits = { keyed: spec.keyed ?? false, idempotent: method === 'POST' };
  const responses: Record<string, unknown> = defaultErrors(traits, spec.body !== undefined);
  for (const [status, own] of Object.entries(spec.responses)) {
    const isError = Number(status) >= 400;
    responses[status] =
      isError && !own.json && !own.content
        ? errorResponse(Number(status), own.description, traits, own.headers)
        : response(own, traits);
  }
  const parameters = [
    ...(spec.parameters ?? []),
    ...(traits.idempotent ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
  ];
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: [spec.tag],
    ...(spec.keyed ? {} : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaRef(spec.body) } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)),
    ),
  };
}

function paths() {
  const described = new Set<string>();
  const result: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const spec = OPERATIONS[key];
    if (!spec) throw new Error(`route ${key} has no operation in lib/openapi/operations.ts`);
    described.add(key);
    result[route.path] ??= {};
    (result[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operationObject(
      route.method,
      spec,
    );
  }
  const stale = Object.keys(OPERATIONS).filter((key) => !described.has(key));
  if (stale.length > 0) throw new Error(`operations without a route: ${stale.join(', ')}`);
  return result;
}

/** The contract's largest upload (media-api.md: 50 MB); a deployment may configure less. */
const CONTRACT_MAX_UPLOAD_BYTES = 52_428_800;

/** `options`: the deployment's settings; the default is the contract's. */
export function buildOpenApiDocument(
  options: OpenApiOptions = { maxUploadBytes: CONTRACT_MAX_UPLOAD_BYTES },
) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Media API',
      version: '1.0.0',
      summary: 'Media attachments of posts: upload, list, serve, delete, hold and restore.',
      description: API_DESCRIPTION,
      contact: { name: 'The maintainers of this deployment' },
      // The project is private (package.json: `private`, no open-source license).
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'This deployment (the origin serving this document).' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: paths(),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The API key (`pf_live_…`) as a Bearer token.',
        },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'The same API key in its own header.',
        },
      },
      schemas: schemaComponents(options),
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes the POST safe to retry: the same key with the same body within 24 hours ' +
            'answers the first response again (`Idempotent-Replayed: true`); the same key with ' +
            'another body is 422 `idempotency_key_reused`.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
        IfNoneMatch: {
          name: 'If-None-Match',
          in: 'header',
          required: false,
          description: 'ETags the client holds; a match is answered 304 without a body.',
          schema: { type: 'string' },
        },
        Range: {
          name: 'Range',
          in: 'header',
          required: false,
          description:
            'One byte range (`bytes=first-last`, `bytes=first-`, `bytes=-suffix`) of a file the ' +
            'API serves itself; several ranges are answered with the whole file.',
          schema: { type: 'string', pattern: '^bytes=' },
        },
      },
    },
  };
}
