/**
 * The local stand-in for API Gateway (HTTP API, Lambda proxy integration, payload format 2.0):
 * a `node:http` server that matches each request against `functions/routes.ts`, turns it into
 * the event API Gateway would send, calls the route's (Middy-wrapped) Lambda handler with a
 * Lambda-like context, and writes the handler's result back.
 *
 * What the adapter answers itself, always with the JSON error envelope and `x-request-id`:
 * 404 `not_found` (no route has that path), 405 `method_not_allowed` (+ `allow`), 413
 * `payload_too_large` (as soon as Content-Length or the bytes received exceed `maxBodyBytes`),
 * 500 `internal_error` (handler threw, could not be loaded, or returned something that is not
 * a result), 504 `gateway_timeout` (handler took longer than `handlerTimeoutMs`).
 *
 * The pieces: `lib/http/router.ts` (route matching and the 404/405 answers, shared with the
 * deployed `$default` route), `request-body.ts` (body limit), `api-gateway-event.ts` (the event),
 * `lambda-runtime.ts` (handler loading, context, timeout), `outgoing-response.ts` (results and
 * error envelopes) and `response-writer.ts` (writing, lingering on unread bodies).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routes as defaultRoutes, type RouteDefinition } from '../functions/routes.ts';
import { createRouter, unmatchedRouteError } from '../lib/http/router.ts';
import { REQUEST_ID_HEADER } from '../lib/http/types.ts';
import { buildEvent, splitTarget } from './api-gateway-event.ts';
import { runInvocation } from './invocation-scope.ts';
import {
  createLambdaContext,
  type HandlerLoader,
  importHandler,
  type LambdaHandler,
  TIMED_OUT,
  withTimeout,
} from './lambda-runtime.ts';
import {
  apiErrorResponse,
  errorResponse,
  internalError,
  notReady,
  payloadTooLarge,
  toOutgoingResponse,
} from './outgoing-response.ts';
import { defaultMaxBodyBytes, readBody } from './request-body.ts';
import { writeResponse } from './response-writer.ts';

export { createRouter, type RouteMatch } from '../lib/http/router.ts';
// Importers (local/stack.ts, tests) take these from here; they live in the modules above.
export {
  buildEvent,
  collectHeaders,
  type EventInput,
  encodeBody,
  formatRequestTime,
  isTextContentType,
  parseQueryString,
  splitTarget,
} from './api-gateway-event.ts';
export {
  createLambdaContext,
  type HandlerLoader,
  importHandler,
  type LambdaHandler,
} from './lambda-runtime.ts';
export { toOutgoingResponse } from './outgoing-response.ts';
export { defaultMaxBodyBytes } from './request-body.ts';

export interface HttpServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: the table in `functions/routes.ts`. */
  routes?: readonly RouteDefinition[];
  /** Largest request body accepted; default `defaultMaxBodyBytes()`. */
  maxBodyBytes?: number;
  /** Default: dynamic import of `functions/<name>/handler.ts` from the repository root. */
  loadHandler?: HandlerLoader;
  /** Like API Gateway's integration timeout; default 30 s. */
  handlerTimeoutMs?: number;
  /**
   * False: `GET /health` answers 503 `{"status":"starting"}` until `setReady(true)` (the stack
   * is still seeding, see scripts/start.ts). Every other route works meanwhile. Default true.
   */
  ready?: boolean;
  /** Called for adapter-level failures (500s); default: one line on stderr. */
  onError?: (error: unknown, info: { requestId: string; routeKey: string }) => void;
}

export interface LocalHttpServer {
  url: string;
  host: string;
  port: number;
  server: Server;
  /** Lets `GET /health` through to its handler (true) or answers it 503 (false). */
  setReady(ready: boolean): void;
  /** Stops accepting, lets in-flight requests finish (up to a few seconds), then resolves. */
  close(): Promise<void>;
}

const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;

function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export async function startHttpServer(options: HttpServerOptions = {}): Promise<LocalHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const matchRoute = createRouter(options.routes ?? defaultRoutes);
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes();
  const loadHandler = options.loadHandler ?? importHandler;
  const handlerTimeoutMs = options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
  const onError =
    options.onError ??
    ((error: unknown, info: { requestId: string; routeKey: string }) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`[local-api] ${info.routeKey} (${info.requestId}) failed: ${message}`);
    });
  const handlers = new Map<string, Promise<LambdaHandler>>();
  let ready = options.ready ?? true;

  function handlerFor(name: string): Promise<LambdaHandler> {
    let loading = handlers.get(name);
    if (!loading) {
      loading = loadHandler(name);
      handlers.set(name, loading);
      // A failed import is retried on the next request (e.g. after fixing a syntax error).
      loading.catch(() => handlers.delete(name));
    }
    return loading;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const timeEpoch = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const { rawPath } = splitTarget(req.url ?? '/');
    let routeKey = `${method} ${rawPath}`;
    try {
      const match = matchRoute(method, rawPath);
      if (match.kind !== 'found') {
        // 404 or 405: the answer of the `$default` route's function on AWS.
        const answer = apiErrorResponse(unmatchedRouteError(match, method, rawPath));
        writeResponse(req, res, requestId, answer, { bodyUnread: true });
        return;
      }
      routeKey = match.routeKey;
      if (match.route.name === 'health' && !ready) {
        writeResponse(req, res, requestId, notReady(), { bodyUnread: true });
        return;
      }

      const outcome = await readBody(req, maxBodyBytes);
      if (outcome.kind === 'aborted') return; // the client went away; nobody to answer
      if (outcome.kind === 'too_large') {
        writeResponse(req, res, requestId, payloadTooLarge(maxBodyBytes, outcome.sizeBytes), {
          bodyUnread: true,
        });
        return;
      }

      const event = buildEvent({
        method,
        url: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        body: outcome.body,
        routeKey,
        pathParameters: match.pathParameters,
        requestId,
        sourceIp: clientIp(req),
        httpVersion: req.httpVersion,
        localPort: req.socket.localPort ?? 0,
        timeEpoch,
      });
      const timeoutMs = handlerTimeoutMs > 0 ? handlerTimeoutMs : 900_000;
      const context = createLambdaContext(match.route.name, Date.now() + timeoutMs);
      const handler = await handlerFor(match.route.name);
      // Its own invocation scope: its log lines carry its request id and no other.
      const result = await withTimeout(
        runInvocation(async () => handler(event, context), requestId),
        timeoutMs,
      );
      if (result === TIMED_OUT) {
        onError(new Error(`handler timed out after ${timeoutMs} ms`), { requestId, routeKey });
        writeResponse(
          req,
          res,
          requestId,
          errorResponse(504, 'gateway_timeout', 'The request took too long to answer.'),
        );
        return;
      }
      writeResponse(req, res, requestId, toOutgoingResponse(result));
    } catch (error) {
      onError(error, { requestId, routeKey });
      writeResponse(req, res, requestId, internalError(), { bodyUnread: true });
    }
  }

  const server = createServer((req, res) => {
    req.on('error', () => {}); // aborted uploads: handled via `close`
    res.on('error', () => {});
    handle(req, res).catch((error: unknown) => {
      // Last resort: `writeResponse` itself failed. Never let it crash the server.
      onError(error, { requestId: 'unknown', routeKey: `${req.method} ${req.url}` });
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({
      error: { code: 'bad_request', message: 'The request could not be parsed.' },
    });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${randomUUID()}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  });

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`API: port ${options.port ?? 0} on ${host} is already in use`)
          : new Error(`API: cannot listen on ${host}:${options.port ?? 0}: ${error.message}`),
      );
    server.once('error', onError);
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });

  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    server,
    setReady(value) {
      ready = value;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 3_000).unref();
      });
      return closing;
    },
  };
}
