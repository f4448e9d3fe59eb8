/**
 * Builds the Middy chain every endpoint uses, declared once: tracing outermost (so it sees the
 * final answer), then request id + logs + metrics + error envelope, then authentication
 * (with the route's scope), then the JSON body.
 * Handlers stay a few lines: read the request, call the domain, shape the response.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import { authenticate, type Caller, requireScope } from '../auth/authenticate.ts';
import type { Scope } from '../auth/scopes.ts';
import { config } from '../config.ts';
import type { TableContext } from '../db/client.ts';
import { PrefetchedItems, type RoutePrefetch, withPrefetch } from '../db/prefetch.ts';
import { ApiError } from '../errors.ts';
import { createMetrics } from '../observability/metrics.ts';
import { traceRequests } from '../observability/tracing.ts';
import { countRequest } from './rate-limit.ts';
import { requestMiddleware } from './request-middleware.ts';
import type { ApiContext, ApiEvent, ApiResult } from './types.ts';

export type RouteHandler = (event: ApiEvent, context: ApiContext) => Promise<ApiResult>;

export interface ApiHandlerOptions {
  /**
   * Authenticate with this table and require `scope`; omit for public routes (`/health`).
   * `authorize` decides from the caller alone (e.g. its role) and throws when the route is not
   * for them: it runs before the body is parsed, so such callers get 403 whatever they send.
   */
  auth?: {
    table: TableContext;
    scope: Scope;
    authorize?: (caller: Caller) => void;
    /**
     * Items the route will read, read ahead with the key and the membership (`prefetch.ts`);
     * the handler then works with `context.table`, which serves them.
     */
    prefetch?: (event: ApiEvent) => RoutePrefetch;
  };
  /**
   * The body parser of routes that take one (`jsonBody()` from json-body.ts). Passed in rather
   * than imported here, so functions without a body do not bundle the parser.
   */
  body?: MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext>;
  /** Requests per minute per API key on authenticated routes; 0: off. Default: the config's. */
  rateLimitPerMinute?: number;
}

export function apiHandler(handler: RouteHandler, options: ApiHandlerOptions = {}) {
  const metrics = createMetrics();
  const chain = middy<ApiEvent, ApiResult, Error, ApiContext>()
    // 4xx answers are traced as answers, not exceptions (their stacks are never read).
    .use(traceRequests((error) => error instanceof ApiError))
    .use(requestMiddleware(metrics));
  const { auth } = options;
  const rateLimit = options.rateLimitPerMinute ?? config.rateLimitPerMinute ?? 0;
  if (auth) {
    chain.use({
      before: async (request) => {
        // Without reads ahead, the key and the membership are one GetItem each.
        const prefetch = auth.prefetch?.(request.event);
        const table = prefetch ? withPrefetch(auth.table) : auth.table;
        request.context.table = table;
        let rejection: Error | undefined;
        const caller = await authenticate(table, request.event.headers ?? {}, {
          prefetched: table.prefetched instanceof PrefetchedItems ? table.prefetched : undefined,
          prefetch,
          // Counted once the key is known, in parallel with the membership read (one write per
          // request, no extra round trip). Every response then carries the headers.
          alongsideMembership:
            rateLimit > 0
              ? async (keyId) => {
                  const decision = await countRequest(auth.table, keyId, rateLimit);
                  request.context.responseHeaders = decision.headers;
                  rejection = decision.rejection;
                }
              : undefined,
        });
        if (rejection) throw rejection;
        requireScope(caller, auth.scope);
        auth.authorize?.(caller);
        request.context.caller = caller;
      },
    });
  }
  if (options.body) chain.use(options.body);
  return chain.handler(handler);
}
