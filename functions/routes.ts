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
] as const satisfies readonly RouteDefinition[];

export type FunctionName = (typeof routes)[number]['name'];
