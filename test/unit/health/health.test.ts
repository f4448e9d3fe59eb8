/**
 * `GET /health` is public: repeated hits must not reach DynamoDB's control plane (DescribeTable
 * is throttled at a few calls per second per account) and must not multiply store reads.
 */

import { type AddressInfo, createServer, type Socket } from 'node:net';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keys } from '../../../lib/db/keys.ts';
import { cachedHealthCheck, HEALTH_PROBE_TIMEOUT_MS, probeStores } from '../../../lib/health.ts';
import type { ApiContext, ApiEvent, ApiResult } from '../../../lib/http/types.ts';

const documentMock = mockClient(DynamoDBDocumentClient);
const dynamoMock = mockClient(DynamoDBClient);
const s3Mock = mockClient(S3Client);

afterAll(() => {
  documentMock.restore();
  dynamoMock.restore();
  s3Mock.restore();
});

beforeEach(() => {
  documentMock.reset();
  dynamoMock.reset();
  s3Mock.reset();
  documentMock.on(GetCommand).resolves({});
  s3Mock.on(HeadBucketCommand).resolves({});
});

const deps = () => ({
  table: {
    db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 'media-test',
  },
  s3: new S3Client({ region: 'us-east-1' }),
  bucketName: 'media-bucket',
});

/** Every command the health check sent to either store, by name. */
function commandsSent(): string[] {
  return [...documentMock.calls(), ...dynamoMock.calls(), ...s3Mock.calls()].map(
    (call) => (call.args[0] as object).constructor.name,
  );
}

function healthEvent(): ApiEvent {
  return {
    version: '2.0',
    routeKey: 'GET /health',
    rawPath: '/health',
    rawQueryString: '',
    headers: {},
    requestContext: {
      http: { method: 'GET', path: '/health', protocol: 'HTTP/1.1', sourceIp: '1.2.3.4' },
      requestId: 'req-health',
      routeKey: 'GET /health',
    },
    isBase64Encoded: false,
  } as unknown as ApiEvent;
}

describe('GET /health handler', () => {
  it('answers 200 to repeated hits without a single DescribeTable', async () => {
    const { handler } = await import('../../../functions/health/handler.ts');
    const hits = 25;
    for (let i = 0; i < hits; i++) {
      const response = (await handler(healthEvent(), {} as ApiContext)) as ApiResult;
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(String(response.body))).toEqual({ status: 'ok' });
    }
    const sent = commandsSent();
    expect(sent).not.toContain(DescribeTableCommand.name);
    // Data-plane probes only, and far fewer than the hits (reused while fresh).
    expect(new Set(sent)).toEqual(new Set([GetCommand.name, HeadBucketCommand.name]));
    expect(documentMock.commandCalls(GetCommand).length).toBeLessThan(hits);
  });
});

describe('cachedHealthCheck', () => {
  it('reads the sentinel key and heads the bucket: data plane only', async () => {
    expect(await cachedHealthCheck(deps())()).toBe(true);
    expect(documentMock.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'media-test',
      Key: keys.healthSentinel(),
    });
    expect(s3Mock.commandCalls(HeadBucketCommand)[0]?.args[0].input).toEqual({
      Bucket: 'media-bucket',
    });
    expect(commandsSent()).not.toContain(DescribeTableCommand.name);
  });

  it('probes once per TTL, and once for concurrent checks', async () => {
    let clock = 0;
    const check = cachedHealthCheck(deps(), { okTtlMs: 5_000, now: () => clock });
    expect(await Promise.all([check(), check(), check()])).toEqual([true, true, true]);
    clock = 4_999;
    expect(await check()).toBe(true);
    expect(documentMock.commandCalls(GetCommand)).toHaveLength(1);
    expect(s3Mock.commandCalls(HeadBucketCommand)).toHaveLength(1);
    clock = 5_000;
    expect(await check()).toBe(true);
    expect(documentMock.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('reports a failing store, keeps that briefly, then sees the recovery', async () => {
    let clock = 0;
    s3Mock.on(HeadBucketCommand).rejects(new Error('bucket unreachable'));
    const check = cachedHealthCheck(deps(), { failedTtlMs: 1_000, now: () => clock });
    expect(await check()).toBe(false);
    s3Mock.on(HeadBucketCommand).resolves({});
    clock = 999;
    expect(await check()).toBe(false);
    clock = 1_000;
    expect(await check()).toBe(true);
  });

  it('fails when the table does not answer', async () => {
    documentMock.on(GetCommand).rejects(new Error('table unreachable'));
    expect(await cachedHealthCheck(deps())()).toBe(false);
  });
});

describe('a store that never answers', () => {
  const never = () => new Promise<never>(() => {});
  afterEach(() => vi.useRealTimers());

  it('fails the probe once the timeout passes, for every waiting check', async () => {
    vi.useFakeTimers();
    documentMock.on(GetCommand).callsFake(never);
    const check = cachedHealthCheck(deps(), { timeoutMs: 500 });
    const first = check();
    const second = check(); // shares the probe in flight
    let settled = false;
    void Promise.all([first, second]).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await Promise.all([first, second])).toEqual([false, false]);
  });

  it('GET /health answers 503 {"status":"unavailable"} instead of hanging', async () => {
    vi.useFakeTimers();
    const { handler } = await import('../../../functions/health/handler.ts');
    // Past any result the handler's check may have kept from the test above.
    vi.advanceTimersByTime(60_000);
    s3Mock.on(HeadBucketCommand).callsFake(never);
    const response = handler(healthEvent(), {} as ApiContext) as Promise<ApiResult>;
    await vi.advanceTimersByTimeAsync(HEALTH_PROBE_TIMEOUT_MS);
    const result = await response;
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(String(result.body))).toEqual({ status: 'unavailable' });
  });

  it('fails against real endpoints that accept connections and stay silent', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = {
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    };
    try {
      documentMock.restore();
      s3Mock.restore();
      // Only timers are faked: the sockets are real. The timeout fires once both requests wait.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const probe = probeStores(
        {
          table: {
            db: DynamoDBDocumentClient.from(new DynamoDBClient(client)),
            tableName: 'media-test',
          },
          s3: new S3Client({ ...client, forcePathStyle: true }),
          bucketName: 'media-bucket',
        },
        { timeoutMs: 100 },
      );
      await vi.waitUntil(() => sockets.length === 2, { timeout: 60_000, interval: 20 });
      await vi.advanceTimersByTimeAsync(100);
      expect(await probe).toBe(false);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent.close(done));
      documentMock.reset();
      s3Mock.reset();
    }
  });
});
