/**
 * Route matching like API Gateway's HTTP API: `{param}` matches one non-empty segment,
 * `{proxy+}` the rest of the path, and the most specific route wins. A path that matches only
 * with another method is a 405 (with the methods that would work), not a 404.
 *
 * The one place both answers to an unrouted request come from (`unmatchedRouteError`): the
 * local adapter (local/http-server.ts) and, on AWS, the `$default` route's function
 * (functions/unmatched-route/), so API Gateway's own `{"message":"Not Found"}` never reaches a
 * client.
 */
import { type ApiError, MethodNotAllowedError, NotFoundError } from '../errors.ts';
import type { RouteDefinition } from './routes.ts';

export type RouteMatch =
  | {
      kind: 'found';
      route: RouteDefinition;
      routeKey: string;
      pathParameters: Record<string, string>;
    }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' };

type SegmentMatcher =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

function parseRoutePath(path: string): SegmentMatcher[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => {
      const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(segment);
      if (greedy) return { kind: 'greedy', name: greedy[1] as string };
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (param) return { kind: 'param', name: param[1] as string };
      return { kind: 'literal', value: segment };
    });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Path parameters when `rawPath` matches, else undefined. A greedy `{x+}` needs ≥ 1 character. */
function matchPath(
  matchers: SegmentMatcher[],
  segments: string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < matchers.length; i++) {
    const matcher = matchers[i] as SegmentMatcher;
    if (matcher.kind === 'greedy') {
      const rest = segments.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[matcher.name] = rest.map(decodeSegment).join('/');
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    if (matcher.kind === 'literal') {
      if (segment !== matcher.value) return undefined;
    } else {
      if (segment === '') return undefined;
      params[matcher.name] = decodeSegment(segment);
    }
  }
  return segments.length === matchers.length ? params : undefined;
}

/** Like API Gateway: literal segments beat `{param}`, which beats `{proxy+}`. */
function specificity(matchers: SegmentMatcher[]): number[] {
  return matchers.map((m) => (m.kind === 'literal' ? 3 : m.kind === 'param' ? 2 : 1));
}

function compareSpecificity(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (b[i] ?? 0) - (a[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Compiles the route table once; the returned matcher is called per request. */
export function createRouter(routeTable: readonly RouteDefinition[]) {
  const compiled = routeTable.map((route) => {
    const matchers = parseRoutePath(route.path);
    return { route, matchers, rank: specificity(matchers) };
  });
  return function matchRoute(method: string, rawPath: string): RouteMatch {
    const segments = rawPath.split('/').slice(1);
    const hits = compiled
      .map((entry) => ({ ...entry, params: matchPath(entry.matchers, segments) }))
      .filter((entry) => entry.params !== undefined)
      .sort((a, b) => compareSpecificity(a.rank, b.rank));
    if (hits.length === 0) return { kind: 'not_found' };
    const hit = hits.find((entry) => entry.route.method === method);
    if (!hit) {
      return { kind: 'method_not_allowed', allow: [...new Set(hits.map((h) => h.route.method))] };
    }
    return {
      kind: 'found',
      route: hit.route,
      routeKey: `${hit.route.method} ${hit.route.path}`,
      pathParameters: hit.params as Record<string, string>,
    };
  };
}

/**
 * The answer to a request no route takes: 405 `method_not_allowed` with `Allow` when the path
 * exists under other methods, else 404 `not_found`. A `found` match also gets the 404: on AWS
 * the gateway routed it to `$default`, so no deployed route takes it.
 */
export function unmatchedRouteError(match: RouteMatch, method: string, rawPath: string): ApiError {
  if (match.kind === 'method_not_allowed') {
    const allow = match.allow.join(', ');
    return new MethodNotAllowedError(`${method} is not allowed here; use ${allow}.`, allow);
  }
  return new NotFoundError(`No route for ${rawPath}.`);
}
