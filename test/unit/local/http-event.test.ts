/**
 * The local API Gateway stand-in: the payload-2.0 event it builds, its routing, and how it
 * writes handler results (with fake handlers: no stores needed).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEvent,
  createRouter,
  defaultMaxBodyBytes,
  type EventInput,
  formatRequestTime,
  type LambdaHandler,
  type LocalHttpServer,
  startHttpServer,
  toOutgoingResponse,
} from '../../../local/http-server.ts';

function eventFor(overrides: Partial<EventInput> = {}): APIGatewayProxyEventV2 {
  return buildEvent({
    method: 'GET',
    url: '/health',
    rawHeaders: [],
    body: Buffer.alloc(0),
    routeKey: 'GET /health',
    pathParameters: {},
    requestId: 'req-1',
    sourceIp: '127.0.0.1',
    httpVersion: '1.1',
    localPort: 3000,
    timeEpoch: Date.UTC(2026, 2, 12, 19, 3, 58),
    ...overrides,
  });
}

describe('buildEvent', () => {
  it('has the payload 2.0 shape', () => {
    const event = eventFor({ rawHeaders: ['Host', 'localhost:3000', 'User-Agent', 'curl/8'] });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      rawQueryString: '',
      isBase64Encoded: false,
      requestContext: {
        accountId: expect.any(String),
        apiId: expect.any(String),
        domainName: 'localhost:3000',
        domainPrefix: 'localhost',
        http: {
          method: 'GET',
          path: '/health',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8',
        },
        requestId: 'req-1',
        routeKey: 'GET /health',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: Date.UTC(2026, 2, 12, 19, 3, 58),
      },
    });
    // Like API Gateway: absent rather than empty.
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
  });

  it('lower-cases header names and joins repeated headers with commas', () => {
    const event = eventFor({
      rawHeaders: ['X-Custom', 'a', 'Authorization', 'Bearer k', 'x-custom', 'b', 'ACCEPT', 'x/y'],
    });
    expect(event.headers).toMatchObject({
      'x-custom': 'a,b',
      authorization: 'Bearer k',
      accept: 'x/y',
    });
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('moves cookies into `cookies`', () => {
    const event = eventFor({ rawHeaders: ['Cookie', 'a=1; b=2', 'cookie', 'c=3'] });
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it('keeps the raw query string, decodes parameters and joins repeated keys with commas', () => {
    const event = eventFor({
      url: '/api/v1/media?limit=5&fileType=image&fileType=audio&q=a%20b%2Cc&flag',
    });
    expect(event.rawPath).toBe('/api/v1/media');
    expect(event.rawQueryString).toBe('limit=5&fileType=image&fileType=audio&q=a%20b%2Cc&flag');
    expect(event.queryStringParameters).toEqual({
      limit: '5',
      fileType: 'image,audio',
      q: 'a b,c',
      flag: '',
    });
  });

  it('passes path parameters through', () => {
    const event = eventFor({ pathParameters: { id: 'att_1' } });
    expect(event.pathParameters).toEqual({ id: 'att_1' });
  });

  it('passes JSON and text bodies as text', () => {
    const json = eventFor({
      rawHeaders: ['Content-Type', 'application/json; charset=utf-8'],
      body: Buffer.from('{"a":"é"}'),
    });
    expect(json).toMatchObject({ body: '{"a":"é"}', isBase64Encoded: false });
    for (const type of [
      'text/plain',
      'application/problem+json',
      'application/xml',
      'application/x-www-form-urlencoded',
    ]) {
      expect(
        eventFor({ rawHeaders: ['content-type', type], body: Buffer.from('x=1') }),
      ).toMatchObject({
        body: 'x=1',
        isBase64Encoded: false,
      });
    }
  });

  it('base64-encodes binary bodies, bodies without a type and text that is not UTF-8', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    for (const rawHeaders of [
      ['Content-Type', 'image/png'],
      ['content-type', 'application/octet-stream'],
      [],
    ]) {
      expect(eventFor({ rawHeaders, body: bytes })).toMatchObject({
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      });
    }
    const invalidUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(
      eventFor({ rawHeaders: ['content-type', 'application/json'], body: invalidUtf8 }),
    ).toMatchObject({ body: invalidUtf8.toString('base64'), isBase64Encoded: true });
  });

  it('formats requestContext.time like API Gateway', () => {
    expect(formatRequestTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('02/Jan/2026:03:04:05 +0000');
  });
});

describe('router', () => {
  const match = createRouter([
    { name: 'list', method: 'GET', path: '/api/v1/media' },
    { name: 'upload', method: 'POST', path: '/api/v1/media' },
    { name: 'get', method: 'GET', path: '/api/v1/media/{id}' },
    { name: 'delete', method: 'DELETE', path: '/api/v1/media/{id}' },
    { name: 'special', method: 'GET', path: '/api/v1/media/special' },
    { name: 'files', method: 'GET', path: '/api/media/uploads/{proxy+}' },
  ]);

  it('matches literal paths and builds the route key', () => {
    expect(match('GET', '/api/v1/media')).toMatchObject({
      kind: 'found',
      route: { name: 'list' },
      routeKey: 'GET /api/v1/media',
      pathParameters: {},
    });
    expect(match('POST', '/api/v1/media')).toMatchObject({ route: { name: 'upload' } });
  });

  it('extracts {id}, decoded, and prefers literal segments', () => {
    expect(match('GET', '/api/v1/media/att_1%2Bx')).toMatchObject({
      route: { name: 'get' },
      routeKey: 'GET /api/v1/media/{id}',
      pathParameters: { id: 'att_1+x' },
    });
    expect(match('GET', '/api/v1/media/special')).toMatchObject({ route: { name: 'special' } });
  });

  it('puts the rest of the path in `proxy` for {proxy+}', () => {
    expect(match('GET', '/api/media/uploads/2026/04/01/abc.png')).toMatchObject({
      route: { name: 'files' },
      routeKey: 'GET /api/media/uploads/{proxy+}',
      pathParameters: { proxy: '2026/04/01/abc.png' },
    });
    expect(match('GET', '/api/media/uploads/')).toEqual({ kind: 'not_found' });
  });

  it('404 for unknown paths, 405 with the allowed methods for known ones', () => {
    expect(match('GET', '/nope')).toEqual({ kind: 'not_found' });
    expect(match('GET', '/api/v1/media/a/b')).toEqual({ kind: 'not_found' });
    expect(match('GET', '/api/v1/media/')).toEqual({ kind: 'not_found' });
    expect(match('PUT', '/api/v1/media/att_1')).toEqual({
      kind: 'method_not_allowed',
      allow: ['GET', 'DELETE'],
    });
  });
});

describe('toOutgoingResponse', () => {
  it('decodes base64 bodies and turns cookies into set-cookie', () => {
    const out = toOutgoingResponse({
      statusCode: 200,
      headers: { 'content-type': 'image/png', 'x-n': 3 },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(out.statusCode).toBe(200);
    expect(out.body).toEqual(Buffer.from([1, 2, 3]));
    expect(out.headers).toContainEqual(['x-n', '3']);
    expect(out.headers).toContainEqual(['set-cookie', ['a=1', 'b=2']]);
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'ok'],
    ['no statusCode', { body: '{}' }],
    ['a bad statusCode', { statusCode: 42 }],
    ['a non-string body', { statusCode: 200, body: { a: 1 } }],
    ['a header with a newline', { statusCode: 200, headers: { 'x-a': 'a\r\nb: c' } }],
    ['an object header value', { statusCode: 200, headers: { 'x-a': { b: 1 } } }],
  ])('rejects %s', (_name, result) => {
    expect(() => toOutgoingResponse(result)).toThrow();
  });
});

describe('defaultMaxBodyBytes', () => {
  it('is the base64 size of the upload limit plus 1 MiB', () => {
    expect(defaultMaxBodyBytes(52_428_800)).toBe(69_905_068 + 1_048_576);
    expect(defaultMaxBodyBytes(3)).toBe(4 + 1_048_576);
  });
});

describe('the server with fake handlers', () => {
  let server: LocalHttpServer;
  const seen: APIGatewayProxyEventV2[] = [];
  const handlers: Record<string, LambdaHandler> = {
    echo: async (event) => {
      seen.push(event);
      return {
        statusCode: 201,
        headers: { 'content-type': 'application/json' },
        cookies: ['s=1; HttpOnly'],
        body: JSON.stringify({ body: event.body ?? null, b64: event.isBase64Encoded }),
      };
    },
    binary: async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0, 255, 1]).toString('base64'),
      isBase64Encoded: true,
    }),
    throws: async () => {
      throw new Error('boom: secret detail');
    },
    garbage: async () => 'not a result',
    slow: () => new Promise(() => {}),
  };

  beforeAll(async () => {
    server = await startHttpServer({
      routes: Object.keys(handlers).map((name) => ({
        name,
        method: name === 'echo' ? 'POST' : 'GET',
        path: `/${name}`,
      })),
      loadHandler: async (name) => handlers[name] as LambdaHandler,
      handlerTimeoutMs: 300,
      maxBodyBytes: 1024,
      onError: () => {},
    });
  });
  afterAll(() => server.close());

  it('calls the handler with a 2.0 event and writes its result', async () => {
    const response = await fetch(`${server.url}/echo?x=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'X-Thing': 'v' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('set-cookie')).toBe('s=1; HttpOnly');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.json()).toEqual({ body: 'AQID', b64: true });
    const event = seen.at(-1) as APIGatewayProxyEventV2;
    expect(event.queryStringParameters).toEqual({ x: '1,2' });
    expect(event.headers['x-thing']).toBe('v');
    expect(event.requestContext.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('gives every request its own request id', async () => {
    const ids = new Set<string | null>();
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${server.url}/binary`);
      ids.add(response.headers.get('x-request-id'));
      await response.arrayBuffer();
    }
    expect(ids.size).toBe(5);
  });

  it('decodes base64 results', async () => {
    const response = await fetch(`${server.url}/binary`);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 255, 1]));
  });

  it.each(['throws', 'garbage'])(
    '500 envelope when the handler %s, no details leak',
    async (name) => {
      const response = await fetch(`${server.url}/${name}`);
      expect(response.status).toBe(500);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        error: { code: 'internal_error', message: expect.any(String) },
      });
      expect(text).not.toContain('secret');
    },
  );

  it('504 envelope when the handler does not answer in time', async () => {
    const response = await fetch(`${server.url}/slow`);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: { code: 'gateway_timeout' } });
  });

  it('keeps serving after failures', async () => {
    expect((await fetch(`${server.url}/binary`)).status).toBe(200);
  });
});
