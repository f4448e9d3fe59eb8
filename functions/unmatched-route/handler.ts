/**
 * API Gateway's `$default` route: every request that no route of functions/routes.ts takes.
 * It answers exactly what the local adapter answers (lib/http/router.ts): 404 `not_found`, or
 * 405 `method_not_allowed` with `Allow` when the path exists under other methods, in the error
 * envelope with `x-request-id`. No key is checked and no store is touched: nothing is served.
 */
import { apiHandler } from '../../lib/http/api-handler.ts';
import { createRouter, unmatchedRouteError } from '../../lib/http/router.ts';
import { routes } from '../routes.ts';

const matchRoute = createRouter(routes);

export const handler = apiHandler(async (event) => {
  const { method } = event.requestContext.http;
  throw unmatchedRouteError(matchRoute(method, event.rawPath), method, event.rawPath);
});
