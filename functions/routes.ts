/**
 * The API's routes, listed once. The local HTTP server dispatches with this table and the CDK
 * construct creates one Lambda + one API Gateway route per entry, so the two cannot drift.
 *
 * `name` is the folder under `functions/` whose `handler.ts` exports `handler`.
 * Paths use API Gateway's syntax: `{id}` for one segment, `{proxy+}` for the rest of the path.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteDefinition {
  name: string;
  method: HttpMethod;
  path: string;
}

export const routes = [
  { name: 'health', method: 'GET', path: '/health' },
  { name: 'list-media', method: 'GET', path: '/api/v1/media' },
  { name: 'upload-media', method: 'POST', path: '/api/v1/media' },
  { name: 'get-media', method: 'GET', path: '/api/v1/media/{id}' },
  { name: 'delete-media', method: 'DELETE', path: '/api/v1/media/{id}' },
  { name: 'set-legal-hold', method: 'PUT', path: '/api/v1/media/{id}/legal-hold' },
  { name: 'restore-media', method: 'POST', path: '/api/v1/media/{id}/restore' },
  { name: 'create-upload-session', method: 'POST', path: '/api/v1/media/uploads' },
  {
    name: 'complete-upload-session',
    method: 'POST',
    path: '/api/v1/media/uploads/{uploadId}/complete',
  },
  // Files and thumbnails (`uploads/…`, `thumbnails/…`): one function, one set of rules.
  { name: 'serve-file', method: 'GET', path: '/api/media/{proxy+}' },
] as const satisfies readonly RouteDefinition[];

export type FunctionName = (typeof routes)[number]['name'];
