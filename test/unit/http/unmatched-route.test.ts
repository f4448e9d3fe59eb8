/**
 * The `$default` route's function (functions/unmatched-route/): on AWS every request no route
 * takes reaches it, and it must answer exactly what the local adapter answers for it: 404
 * `not_found`, or 405 `method_not_allowed` with `Allow`, in the envelope with `x-request-id`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/unmatched-route/handler.ts';
import type { ApiContext } from '../../../lib/http/types.ts';
import {
  buildEvent,
  createLambdaContext,
  type LocalHttpServer,
  startHttpServer,
} from '../../../local/http-server.ts';

/** The event API Gateway sends to the `$default` route. */
function defaultRouteEvent(method: string, url: string) {
  return buildEvent({
    method,
    url,
    rawHeaders: ['host', 'api.example.com', 'user-agent', 'unmatched-test'],
    body: Buffer.alloc(0),
    routeKey: '$default',
    pathParameters: {},
    requestId: randomUUID(),
    sourceIp: '127.0.0.1',
    httpVersion: '1.1',
    localPort: 443,
    timeEpoch: Date.now(),
  });
}

async function invoke(method: string, url: string) {
  const event = defaultRouteEvent(method, url);
  const context = createLambdaContext('unmatched-route', Date.now() + 10_000) as ApiContext;
  const result = await handler(event, context);
  return { event, result, headers: result.headers ?? {} };
}

describe('unmatched-route (the $default route)', () => {
  it('answers 405 method_not_allowed with Allow for a path that exists under other methods', async () => {
    const { event, result, headers } = await invoke('PATCH', '/api/v1/media?limit=5');
    expect(result.statusCode).toBe(405);
    expect(JSON.parse(result.body ?? '')).toEqual({
      error: { code: 'method_not_allowed', message: 'PATCH is not allowed here; use GET, POST.' },
    });
    expect(headers.allow).toBe('GET, POST');
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(headers['x-request-id']).toBe(event.requestContext.requestId);
  });

  it('lists every method of a path with path parameters', async () => {
    const { result, headers } = await invoke('POST', '/api/v1/media/med_123');
    expect(result.statusCode).toBe(405);
    expect(headers.allow).toBe('GET, HEAD, DELETE');
  });

  it('answers 404 not_found for a path no route has', async () => {
    const { event, result, headers } = await invoke('GET', '/api/v1/nothing');
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? '')).toEqual({
      error: { code: 'not_found', message: 'No route for /api/v1/nothing.' },
    });
    expect(headers.allow).toBeUndefined();
    expect(headers['x-request-id']).toBe(event.requestContext.requestId);
  });

  it('answers HEAD without a body', async () => {
    const { result } = await invoke('HEAD', '/nothing');
    expect(result.statusCode).toBe(404);
    expect(result.body).toBe('');
  });

  describe('answers what the local adapter answers', () => {
    let server: LocalHttpServer;
    beforeAll(async () => {
      // The default route table; no handler is ever loaded for these requests.
      server = await startHttpServer({
        loadHandler: async (name) => {
          throw new Error(`no handler expected, got ${name}`);
        },
      });
    });
    afterAll(() => server.close());

    it.each([
      ['PATCH', '/api/v1/media'],
      ['PUT', '/api/v1/media/med_1'],
      ['DELETE', '/health'],
      ['OPTIONS', '/api/v1/media/uploads'],
      ['GET', '/api/v1/nothing'],
      ['POST', '/'],
      ['GET', '/api/v1/media/med_1/legal-hold/extra'],
    ])('%s %s', async (method, path) => {
      const local = await fetch(`${server.url}${path}`, { method });
      const { result, headers } = await invoke(method, path);
      expect(result.statusCode).toBe(local.status);
      expect(JSON.parse(result.body ?? '')).toEqual(await local.json());
      expect(headers.allow ?? null).toBe(local.headers.get('allow'));
      expect(headers['content-type']).toBe(local.headers.get('content-type'));
      expect(local.headers.get('x-request-id')).toBeTruthy();
    });
  });
});
