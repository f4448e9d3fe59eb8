/**
 * The route table (`lib/http/routes.ts`), where the local server and the CDK construct expect
 * it: next to the handlers it names.
 */
export {
  type FunctionName,
  type HttpMethod,
  type RouteDefinition,
  routes,
  UNMATCHED_ROUTE_FUNCTION,
} from '../lib/http/routes.ts';
