/**
 * API Gateway payload-2.0 events for in-process and fresh-process invocations, built by the
 * local adapter's own `buildEvent` (the same code that serves `npm start`), so every handler
 * sees exactly what the HTTP server would hand it.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { routes } from '../../functions/routes.ts';
import { buildEvent, createLambdaContext, createRouter } from '../../local/http-server.ts';

const matchRoute = createRouter(routes);

export interface RequestSpec {
  method: string;
  /** Path and query string, e.g. `/api/v1/media?limit=50`. */
  target: string;
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string;
  /** JSON text; set as the event's body (not base64), as API Gateway passes JSON. */
  body?: string;
  /** No route takes it: the event API Gateway sends to the `$default` route. */
  unrouted?: boolean;
}

export function apiEvent(spec: RequestSpec): APIGatewayProxyEventV2 {
  const path = spec.target.split('?')[0] ?? '/';
  const match = matchRoute(spec.method, path);
  if ((match.kind === 'found') !== !spec.unrouted) {
    throw new Error(`${spec.unrouted ? 'a' : 'no'} route for ${spec.method} ${path}`);
  }
  const routed = match.kind === 'found' ? match : { routeKey: '$default', pathParameters: {} };
  const rawHeaders = ['host', '127.0.0.1', 'user-agent', 'media-bench'];
  if (spec.key) rawHeaders.push('authorization', `Bearer ${spec.key}`);
  if (spec.body !== undefined) rawHeaders.push('content-type', 'application/json');
  const event = buildEvent({
    method: spec.method,
    url: spec.target,
    rawHeaders,
    // The body is attached below without a Buffer copy: large uploads are measured for memory.
    body: Buffer.alloc(0),
    routeKey: routed.routeKey,
    pathParameters: routed.pathParameters,
    requestId: randomUUID(),
    sourceIp: '127.0.0.1',
    httpVersion: '1.1',
    localPort: 443,
    timeEpoch: Date.now(),
  });
  if (spec.body !== undefined) {
    event.body = spec.body;
    event.isBase64Encoded = false;
  }
  return event;
}

export function lambdaContext(functionName: string): Context {
  return createLambdaContext(functionName, Date.now() + 30_000);
}
