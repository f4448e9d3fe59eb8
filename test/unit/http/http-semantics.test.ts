/**
 * HTTP semantics as the Lambda handlers give them behind API Gateway (payload 2.0 events, no
 * local adapter in between): 415 for a JSON route's other body types, 401's challenge, HEAD
 * without the body, conditional and range decisions, and the API reference function.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as apiReference } from '../../../functions/api-reference/handler.ts';
import { apiHandler } from '../../../lib/http/api-handler.ts';
import { isNotModified, requestedRange, strongETag } from '../../../lib/http/conditional.ts';
import { jsonBody } from '../../../lib/http/json-body.ts';
import { type ApiContext, type ApiEvent, jsonResponse } from '../../../lib/http/types.ts';

function event(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    ...(body === undefined ? {} : { body, isBase64Encoded: false }),
  } as ApiEvent;
}

const context = { awsRequestId: 'lambda-req', functionName: 'test' } as ApiContext;
const call = async (
  h: (e: ApiEvent, c: ApiContext) => Promise<unknown>,
  e: ApiEvent,
): Promise<APIGatewayProxyStructuredResultV2> =>
  (await h(e, context)) as APIGatewayProxyStructuredResultV2;

const echo = apiHandler(async (_e, c) => jsonResponse(200, { got: c.jsonBody }), {
  body: jsonBody(),
});

describe('a JSON route', () => {
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'answers 415 to a body sent as %s',
    async (type) => {
      const result = await call(echo, event('POST', '/x', { 'content-type': type }, '{"a":1}'));
      expect(result.statusCode).toBe(415);
      expect(JSON.parse(result.body ?? '')).toMatchObject({
        error: { code: 'unsupported_media_type' },
      });
    },
  );

  it.each(['application/json', 'application/json; charset=utf-8', 'application/merge-patch+json'])(
    'takes %s (and a body without a type) as JSON',
    async (type) => {
      for (const headers of [{ 'content-type': type }, {}] as Record<string, string>[]) {
        const result = await call(echo, event('POST', '/x', headers, '{"a":1}'));
        expect(result.statusCode).toBe(200);
      }
    },
  );
});

describe('401', () => {
  it('carries WWW-Authenticate: Bearer', async () => {
    const table = { db: {} as never, tableName: 'unused' };
    const guarded = apiHandler(async () => jsonResponse(200, {}), {
      auth: { table, scope: 'media:read' },
    });
    const result = await call(guarded, event('GET', '/api/v1/media'));
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toBe('Bearer');
    expect(result.headers?.['x-request-id']).toBe('req-1');
  });
});

describe('HEAD', () => {
  const resource = apiHandler(async () => ({
    statusCode: 200,
    headers: { 'content-type': 'image/png', etag: '"abc"' },
    body: Buffer.from('12345').toString('base64'),
    isBase64Encoded: true,
  }));

  it('is answered like GET without the body, with the length GET would send', async () => {
    const get = await call(resource, event('GET', '/f'));
    const head = await call(resource, event('HEAD', '/f'));
    expect(head.statusCode).toBe(get.statusCode);
    expect(head.body).toBe('');
    expect(head.headers?.etag).toBe('"abc"');
    expect(head.headers?.['content-length']).toBe('5');
  });

  it('drops the body of an error too', async () => {
    const failing = apiHandler(async () => {
      throw new Error('boom');
    });
    const head = await call(failing, event('HEAD', '/f'));
    expect(head.statusCode).toBe(500);
    expect(head.body).toBe('');
  });
});

describe('conditional and range decisions', () => {
  const etag = strongETag('a'.repeat(64));

  it('If-None-Match: a match in a list, a weak match, or * → not modified', () => {
    expect(isNotModified({ 'if-none-match': etag }, etag)).toBe(true);
    expect(isNotModified({ 'if-none-match': `"x", W/${etag}` }, etag)).toBe(true);
    expect(isNotModified({ 'if-none-match': '*' }, etag)).toBe(true);
    expect(isNotModified({ 'if-none-match': '"other"' }, etag)).toBe(false);
    expect(isNotModified({}, etag)).toBe(false);
    // A request's Cache-Control addresses caches, not the origin.
    expect(isNotModified({ 'if-none-match': etag, 'cache-control': 'no-cache' }, etag)).toBe(true);
  });

  it('one range → partial; outside → unsatisfiable; malformed or several → whole', () => {
    expect(requestedRange({ range: 'bytes=2-4' }, 10, etag)).toEqual({
      kind: 'partial',
      start: 2,
      end: 4,
    });
    expect(requestedRange({ range: 'bytes=5-' }, 10, etag)).toMatchObject({ start: 5, end: 9 });
    expect(requestedRange({ range: 'bytes=-3' }, 10, etag)).toMatchObject({ start: 7, end: 9 });
    expect(requestedRange({ range: 'bytes=2-400' }, 10, etag)).toMatchObject({ end: 9 });
    expect(requestedRange({ range: 'bytes=10-' }, 10, etag)).toEqual({ kind: 'unsatisfiable' });
    expect(requestedRange({ range: 'bytes=0-1,4-5' }, 10, etag)).toEqual({ kind: 'whole' });
    expect(requestedRange({ range: 'lines=1-2' }, 10, etag)).toEqual({ kind: 'whole' });
    expect(requestedRange({ range: 'garbage' }, 10, etag)).toEqual({ kind: 'whole' });
    expect(requestedRange({ range: 'bytes=0-1', 'if-range': '"old"' }, 10, etag)).toEqual({
      kind: 'whole',
    });
    expect(requestedRange({ range: 'bytes=0-1', 'if-range': etag }, 10, etag)).toMatchObject({
      kind: 'partial',
    });
  });
});

describe('the api-reference function', () => {
  it('serves the description, the page and its assets, and 404 for anything else', async () => {
    const description = await call(apiReference, event('GET', '/openapi.json'));
    expect(description.statusCode).toBe(200);
    expect(JSON.parse(description.body ?? '').openapi).toBe('3.1.0');

    const page = await call(apiReference, event('GET', '/docs'));
    expect(page.headers?.['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('docs/swagger-ui-bundle.js');
    expect(page.headers?.['content-security-policy']).toContain("script-src 'self'");

    const asset = await call(apiReference, {
      ...event('GET', '/docs/swagger-ui.css'),
      pathParameters: { asset: 'swagger-ui.css' },
    });
    expect(asset.headers?.['content-type']).toMatch(/^text\/css/);
    const missing = await call(apiReference, {
      ...event('GET', '/docs/package.json'),
      pathParameters: { asset: 'package.json' },
    });
    expect(missing.statusCode).toBe(404);
  });
});
