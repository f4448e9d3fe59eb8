/**
 * The API's routes, listed once (`functions/routes.ts` re-exports them). The local HTTP server
 * dispatches with this table and the CDK construct creates one Lambda + one API Gateway route
 * per entry, so the two cannot drift.
 *
 * `name` is the folder under `functions/` whose `handler.ts` exports `handler`. The table lives
 * in `lib/` because the OpenAPI description is built from it, and `lib/` never imports upward.
 * Paths use API Gateway's syntax: `{id}` for one segment, `{proxy+}` for the rest of the path.
 * They are also the paths of the OpenAPI description (`lib/openapi/`), which describes exactly
 * these routes. HEAD is routed explicitly where it is answered (API Gateway does not map HEAD
 * to GET); the handler answers it like GET without the body.
 */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface RouteDefinition {
  name: string;
  method: HttpMethod;
  path: string;
}

const FILE_PATH = '/api/media/uploads/{year}/{month}/{day}/{file}';
const THUMBNAIL_PATH = '/api/media/thumbnails/{year}/{month}/{day}/{file}';

export const routes = [
  { name: 'health', method: 'GET', path: '/health' },
  { name: 'list-media', method: 'GET', path: '/api/v1/media' },
  { name: 'upload-media', method: 'POST', path: '/api/v1/media' },
  { name: 'media-limits', method: 'GET', path: '/api/v1/media/limits' },
  { name: 'get-media', method: 'GET', path: '/api/v1/media/{id}' },
  { name: 'get-media', method: 'HEAD', path: '/api/v1/media/{id}' },
  { name: 'delete-media', method: 'DELETE', path: '/api/v1/media/{id}' },
  { name: 'set-legal-hold', method: 'PUT', path: '/api/v1/media/{id}/legal-hold' },
  { name: 'restore-media', method: 'POST', path: '/api/v1/media/{id}/restore' },
  { name: 'create-upload-session', method: 'POST', path: '/api/v1/media/uploads' },
  {
    name: 'complete-upload-session',
    method: 'POST',
    path: '/api/v1/media/uploads/{uploadId}/complete',
  },
  // Files and thumbnails: one function, one set of rules; one parameter per URL segment.
  { name: 'serve-file', method: 'GET', path: FILE_PATH },
  { name: 'serve-file', method: 'HEAD', path: FILE_PATH },
  { name: 'serve-file', method: 'GET', path: THUMBNAIL_PATH },
  { name: 'serve-file', method: 'HEAD', path: THUMBNAIL_PATH },
  // The API's own description and its interactive reference (no key).
  { name: 'api-reference', method: 'GET', path: '/openapi.json' },
  { name: 'api-reference', method: 'GET', path: '/docs' },
  { name: 'api-reference', method: 'GET', path: '/docs/{asset}' },
] as const satisfies readonly RouteDefinition[];

export type FunctionName = (typeof routes)[number]['name'];

/**
 * The function behind API Gateway's `$default` route on AWS: every request no route above takes
 * reaches it, and it answers what the local adapter answers (lib/http/router.ts): 404
 * `not_found`, or 405 `method_not_allowed` with `Allow`, in the error envelope.
 */
export const UNMATCHED_ROUTE_FUNCTION = 'unmatched-route';
