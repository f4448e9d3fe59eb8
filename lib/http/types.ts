import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { Caller } from '../auth/authenticate.ts';
import type { TableContext } from '../db/client.ts';
import type { InvocationMetrics } from '../observability/metrics.ts';

/** API Gateway HTTP API, payload format 2.0: the event both the deployed API and `npm start` send. */
export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** The Lambda context plus what the middlewares found out about the request. */
export interface ApiContext extends Context {
  /** Set by the authenticate middleware on every `/api/...` route. */
  caller: Caller;
  /**
   * Set with `caller`: the route's table for this request, serving what authentication read
   * ahead for it (`lib/db/prefetch.ts`).
   */
  table: TableContext;
  /** Set by the JSON body middleware on routes that take a body. */
  jsonBody: unknown;
  /** This request's metrics (lib/observability/metrics.ts): each record is published at once. */
  metrics: InvocationMetrics;
  /**
   * Headers for whatever response this request ends with, success or error (e.g. the rate
   * limit's); the outermost middleware adds them.
   */
  responseHeaders?: Record<string, string>;
}

export const REQUEST_ID_HEADER = 'x-request-id';

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiResult {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** `201 Created` with `Location`: where the created resource (or its next step) lives. */
export const createdResponse = (body: unknown, location: string): ApiResult =>
  jsonResponse(201, body, { location });

/** The API URL of an attachment: the `Location` of every 201 that creates one. */
export const attachmentLocation = (id: string): string => `/api/v1/media/${encodeURIComponent(id)}`;
