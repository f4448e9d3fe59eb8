/**
 * The client's HTTP behaviour without a server: retries and Retry-After, which requests are
 * replayed, error mapping for envelopes and for answers that are not, where the key goes.
 */
import { describe, expect, it } from 'vitest';
import { MediaClient } from '../../src/client.ts';
import { MediaApiError } from '../../src/errors.ts';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from '../../src/retry.ts';
import { envelope, jsonResponse, networkError, recordingFetch } from '../fake-fetch.ts';
import { rejectionOf } from '../rejection.ts';

const API = 'https://media.example.test/prod';
const KEY = 'pf_live_0123456789abcdefghijklmnopqrstuv';
const page = { items: [], hasMore: false, nextCursor: null };

function clientWith(answers: Array<Response | Error>, retry = {}) {
  const recorder = recordingFetch(() => {
    const next = answers.shift();
    if (!next) throw new Error('unexpected request');
    if (next instanceof Error) throw next;
    return next;
  });
  const retries: number[] = [];
  const client = new MediaClient({
    baseUrl: API,
    apiKey: KEY,
    fetch: recorder.fetch,
    retry: { baseDelayMs: 1, ...retry },
    onRetry: (event) => retries.push(event.delayMs),
  });
  return { client, requests: recorder.requests, retries };
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, MediaApiError);

describe('retries', () => {
  it('retries 429 after the Retry-After the server asked for, then succeeds', async () => {
    const { client, requests, retries } = clientWith([
      jsonResponse(429, envelope('rate_limited'), { 'retry-after': '0' }),
      jsonResponse(200, page),
    ]);
    expect(await client.listPage()).toEqual(page);
    expect(requests).toHaveLength(2);
    expect(retries).toEqual([0]);
  });

  it('retries 503 with backoff, and network errors of a GET', async () => {
    const { client, requests } = clientWith([
      jsonResponse(503, { message: 'Service Unavailable' }),
      networkError(),
      jsonResponse(200, page),
    ]);
    expect(await client.listPage()).toEqual(page);
    expect(requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('gives up after the configured retries with the last error', async () => {
    const { client, requests } = clientWith(
      [
        jsonResponse(503, envelope('internal_error')),
        jsonResponse(503, envelope('internal_error')),
        jsonResponse(503, { message: 'Service Unavailable' }),
      ],
      { retries: 2 },
    );
    const error = await failure(client.listPage());
    expect(error).toMatchObject({ status: 503, code: 'http_503', message: 'Service Unavailable' });
    expect(requests).toHaveLength(3);
  });

  it('does not wait for a Retry-After longer than the policy allows', async () => {
    const { client, requests } = clientWith([
      jsonResponse(429, envelope('rate_limited', 'slow down'), { 'retry-after': '3600' }),
    ]);
    const error = await failure(client.listPage());
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterMs: 3_600_000 });
    expect(requests).toHaveLength(1);
  });

  it('never replays a DELETE that may have reached the server (500, network error)', async () => {
    const first = clientWith([jsonResponse(500, envelope('internal_error', 'boom'))]);
    expect(await failure(first.client.delete('att_1'))).toMatchObject({ status: 500 });
    expect(first.requests).toHaveLength(1);

    const second = clientWith([networkError()]);
    await expect(second.client.delete('att_1')).rejects.toThrow('fetch failed');
    expect(second.requests).toHaveLength(1);
  });

  it('replays a DELETE refused before it was handled (429, 503)', async () => {
    const deleted = { id: 'att_1', deleted: true, purgeAfter: 1 };
    const { client, requests } = clientWith([
      jsonResponse(503, {}),
      jsonResponse(429, {}, { 'retry-after': '0' }),
      jsonResponse(200, deleted),
    ]);
    expect(await client.delete('att_1')).toEqual(deleted);
    expect(requests).toHaveLength(3);
  });

  it('replays a POST only with the same Idempotency-Key', async () => {
    const { client, requests } = clientWith([networkError(), jsonResponse(200, { id: 'att_1' })]);
    await client.restore('att_1');
    const keys = requests.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys).toEqual([keys[0], keys[0]]);
  });

  it('stops at once when the caller aborts', async () => {
    const controller = new AbortController();
    const { client, requests } = clientWith([jsonResponse(503, {})], { baseDelayMs: 60_000 });
    const pending = client.listPage({}, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(requests.length).toBeLessThanOrEqual(1);
  });

  it('reads Retry-After as seconds or as a date; backs off exponentially with jitter', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(
      10_000,
    );
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, () => 1)).toBe(100);
    expect(backoffDelay(policy, 3, () => 1)).toBe(400);
    expect(backoffDelay(policy, 10, () => 1)).toBe(1000);
  });
});

describe('errors', () => {
  it('carries the envelope, the status and the request id', async () => {
    const { client } = clientWith([
      jsonResponse(400, envelope('validation_error', 'limit must be 1–100', { field: 'limit' }), {
        'x-request-id': 'req-1',
      }),
    ]);
    const error = await failure(client.listPage({ limit: 0 }));
    expect(error).toMatchObject({
      name: 'MediaApiError',
      status: 400,
      code: 'validation_error',
      message: 'limit must be 1–100',
      details: { field: 'limit' },
      requestId: 'req-1',
    });
    expect(error.toJSON()).toEqual({
      error: {
        code: 'validation_error',
        message: 'limit must be 1–100',
        details: { field: 'limit' },
      },
      status: 400,
      requestId: 'req-1',
    });
  });

  it("maps a gateway's own answers (no envelope) onto the contract's codes", async () => {
    const { client } = clientWith([
      jsonResponse(413, { message: 'Request Entity Too Large' }, { 'apigw-requestid': 'gw-1' }),
    ]);
    const error = await failure(client.get('att_1'));
    expect(error).toMatchObject({
      status: 413,
      code: 'payload_too_large',
      message: 'Request Entity Too Large',
      requestId: 'gw-1',
    });
  });

  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'legal_hold'],
    [413, 'payload_too_large'],
    [415, 'unsupported_media_type'],
    [422, 'idempotency_key_reused'],
    [500, 'internal_error'],
  ])('%i %s becomes a MediaApiError with that status and code', async (status, code) => {
    const { client } = clientWith([jsonResponse(status, envelope(code, 'why'))], { retries: 0 });
    expect(await failure(client.get('att_1'))).toMatchObject({ status, code, message: 'why' });
  });
});

describe('URLs and the key', () => {
  it('appends paths to the base path and sends the key as a bearer token', async () => {
    const { client, requests } = clientWith([jsonResponse(200, page)]);
    await client.listPage({ postId: 'pst_1', fileType: 'image', limit: 10, cursor: 'abc' });
    const [request] = requests;
    expect(request?.url.href).toBe(
      `${API}/api/v1/media?postId=pst_1&fileType=image&limit=10&cursor=abc`,
    );
    expect(request?.headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('follows redirects itself, sending the key to the API origin only', async () => {
    const storage = 'https://bucket.storage.example.test/uploads/x.png?X-Amz-Signature=s';
    const { client, requests } = clientWith([
      new Response(null, { status: 302, headers: { location: '/prod/api/media/uploads/y.png' } }),
      new Response(null, { status: 307, headers: { location: storage } }),
      new Response('bytes', { status: 200 }),
    ]);
    const stream = await client.download('/api/media/uploads/x.png');
    expect(await new Response(stream).text()).toBe('bytes');
    expect(requests.map((r) => [r.url.href, r.headers.get('authorization')])).toEqual([
      [`${API}/api/media/uploads/x.png`, `Bearer ${KEY}`],
      [`${API}/api/media/uploads/y.png`, `Bearer ${KEY}`],
      [storage, null],
    ]);
    expect(requests.every((r) => !r.headers.has('x-api-key'))).toBe(true);
  });

  it("turns a storage host's XML error into a MediaApiError", async () => {
    const { client } = clientWith([
      new Response(null, { status: 302, headers: { location: 'https://s3.example.test/k' } }),
      new Response(
        '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
        {
          status: 403,
          headers: { 'x-amz-request-id': 's3-1' },
        },
      ),
    ]);
    const error = await failure(client.download('/api/media/uploads/x.png'));
    expect(error).toMatchObject({ status: 403, message: 'Request has expired', requestId: 's3-1' });
  });

  it('falls back to its default limits when the API has no limits endpoint', async () => {
    const { client, requests } = clientWith([jsonResponse(404, envelope('not_found'))]);
    expect(await client.limits()).toMatchObject({
      maxUploadBytes: 52_428_800,
      maxJsonUploadBytes: 4_194_304,
      source: 'defaults',
    });
    await client.limits();
    expect(requests).toHaveLength(1);
  });
});
