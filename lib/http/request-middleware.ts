/**
 * The outermost middleware of every route: it tags the logs with the request id, answers every
 * error with the JSON envelope of media-api.md §3, and puts the request id header (and the
 * request's `context.responseHeaders`) on every response, success or failure. Unexpected errors are logged in full but answered as a bare
 * `500 internal_error`.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import { ApiError, toErrorResponse } from '../errors.ts';
import { logger } from '../logger.ts';
import { type Metrics, recordRequest, startInvocation } from '../observability/metrics.ts';
import {
  type ApiContext,
  type ApiEvent,
  type ApiResult,
  jsonResponse,
  REQUEST_ID_HEADER,
} from './types.ts';

type ApiRequest = Request<ApiEvent, ApiResult, Error, ApiContext>;

function requestIdOf(request: ApiRequest): string {
  return request.event.requestContext?.requestId ?? request.context.awsRequestId ?? 'unknown';
}

function withRequestHeaders(response: ApiResult, request: ApiRequest): ApiResult {
  return {
    ...response,
    headers: {
      ...response.headers,
      ...request.context.responseHeaders,
      [REQUEST_ID_HEADER]: requestIdOf(request),
    },
  };
}

/**
 * HEAD is answered like GET without the body (RFC 9110 §9.3.2): every handler serves both, and
 * here the body goes, its length staying in `Content-Length`.
 */
function finalResponse(request: ApiRequest, response: ApiResult): ApiResult {
  const answered = withRequestHeaders(response, request);
  if (request.event.requestContext?.http?.method !== 'HEAD') return answered;
  const body = answered.body ?? '';
  const length = Buffer.byteLength(body, answered.isBase64Encoded ? 'base64' : 'utf8');
  return {
    ...answered,
    body: '',
    isBase64Encoded: false,
    headers: { ...answered.headers, 'content-length': String(length) },
  };
}

/** One line per request; a rejected one says why (`code`, `reason`) on the same line. */
function logOutcome(
  request: ApiRequest,
  statusCode: number,
  rejection?: { code: string; reason?: string },
): void {
  const { metrics } = request.context;
  const durationMs = Math.round(metrics.elapsedMs());
  logger.info('request completed', {
    method: request.event.requestContext?.http?.method,
    route: request.event.routeKey,
    statusCode,
    durationMs,
    ...rejection,
  });
  recordRequest(metrics, { statusCode, durationMs, code: rejection?.code });
}

/** `metrics`: the handler's instance; each request gets its own `InvocationMetrics` over it. */
export function requestMiddleware(
  metrics: Metrics,
): MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> {
  return {
    before: (request) => {
      // A context object may be reused across invocations: nothing of the last one carries over.
      request.context.responseHeaders = undefined;
      // Every metric of this request (request, upload, rejects) carries its route.
      request.context.metrics = startInvocation(metrics, request.context.functionName, {
        route: request.event.routeKey,
      });
      logger.resetKeys();
      logger.appendKeys({ requestId: requestIdOf(request) });
    },
    after: (request) => {
      if (!request.response) return;
      request.response = finalResponse(request, request.response);
      logOutcome(request, request.response.statusCode ?? 200);
    },
    onError: (request) => {
      const { error } = request;
      // The full error (stack included) only when unexpected; a 4xx is one line, below.
      if (!(error instanceof ApiError)) logger.error('unexpected error', error as Error);
      const { statusCode, body, headers } = toErrorResponse(error);
      request.response = finalResponse(request, jsonResponse(statusCode, body, headers));
      logOutcome(request, statusCode, {
        code: body.error.code,
        ...(error instanceof ApiError ? { reason: error.message } : {}),
      });
    },
  };
}
