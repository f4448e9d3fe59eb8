/**
 * Preloaded (`node --import`) into the `npm start` process of the bench's "as npm start runs"
 * scenario; production code is unchanged. Through Node's HTTP diagnostics channels it records
 * every API request the local server answers and every store call (DynamoDB Local, the S3
 * server) made while handling it. A store call belongs to the request whose invocation scope it
 * runs in (`local/invocation-scope.ts`: the scope's id is the request id the response carries
 * in `x-request-id`); calls in other scopes (storage events, sweeps) count as background.
 * Written to `BENCH_TRACE_FILE` as JSON when the process exits.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';

export interface TracedCall {
  /** `ddb:GetItem`, `s3:PUT`, … */
  kind: string;
  /** ms after the request started (for calls of a request) or absolute (background). */
  startMs: number;
  durationMs: number;
}

export interface TracedRequest {
  route: string;
  /** The benchmark's `x-bench-run` header, when sent. */
  run?: string;
  status: number;
  totalMs: number;
  calls: TracedCall[];
}

export interface Trace {
  requests: TracedRequest[];
  /** Store calls outside any API request (storage events, sweeps), by kind. */
  background: Record<string, number>;
}

const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const MAX_REQUESTS = 50_000;

type Store = { get(key: symbol): unknown } | undefined;
const scopeId = (): string | undefined =>
  ((globalThis as { awslambda?: { InvokeStore?: Store } }).awslambda?.InvokeStore?.get(
    REQUEST_ID,
  ) as string | undefined) ?? undefined;

interface OpenCall {
  kind: string;
  scope: string | undefined;
  start: number;
}
const openCalls = new WeakMap<ClientRequest, OpenCall>();
const callsByScope = new Map<string, Array<{ kind: string; start: number; end: number }>>();
const background: Record<string, number> = {};

function kindOf(request: ClientRequest): string {
  const target = request.getHeader('x-amz-target');
  if (typeof target === 'string') return `ddb:${target.split('.').pop()}`;
  return `s3:${request.method}`;
}

subscribe('http.client.request.start', (message) => {
  const { request } = message as { request: ClientRequest };
  openCalls.set(request, { kind: kindOf(request), scope: scopeId(), start: performance.now() });
});

subscribe('http.client.response.finish', (message) => {
  const { request } = message as { request: ClientRequest };
  const open = openCalls.get(request);
  if (!open) return;
  openCalls.delete(request);
  if (!open.scope) {
    background[open.kind] = (background[open.kind] ?? 0) + 1;
    return;
  }
  let calls = callsByScope.get(open.scope);
  if (!calls) {
    calls = [];
    callsByScope.set(open.scope, calls);
  }
  calls.push({ kind: open.kind, start: open.start, end: performance.now() });
});

const openRequests = new WeakMap<
  ServerResponse,
  { route: string; run: string | undefined; start: number }
>();
const requests: TracedRequest[] = [];

function routeOf(method: string, url: string): string {
  const path = url.split('?')[0] ?? '';
  if (path === '/api/v1/media') return `${method} /api/v1/media`;
  if (/^\/api\/v1\/media\/[^/]+$/.test(path)) return `${method} /api/v1/media/{id}`;
  return `${method} ${path.split('/').slice(0, 4).join('/')}`;
}

subscribe('http.server.request.start', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  openRequests.set(response, {
    route: routeOf(request.method ?? 'GET', request.url ?? '/'),
    run: request.headers['x-bench-run'] as string | undefined,
    start: performance.now(),
  });
});

subscribe('http.server.response.finish', (message) => {
  const { response } = message as { response: ServerResponse };
  const open = openRequests.get(response);
  const requestId = response.getHeader('x-request-id');
  // The S3 server answers in this process too: its responses carry no x-request-id.
  if (!open || typeof requestId !== 'string') return;
  const end = performance.now();
  const calls = (callsByScope.get(requestId) ?? []).map((call) => ({
    kind: call.kind,
    startMs: call.start - open.start,
    durationMs: call.end - call.start,
  }));
  callsByScope.delete(requestId);
  if (requests.length < MAX_REQUESTS) {
    requests.push({
      route: open.route,
      ...(open.run ? { run: open.run } : {}),
      status: response.statusCode,
      totalMs: end - open.start,
      calls,
    });
  }
});

const file = process.env.BENCH_TRACE_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ requests, background } satisfies Trace));
  });
}
