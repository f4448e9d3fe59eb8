/**
 * Two promises of the local stack to whoever watches it: `GET /health` is 200 only once the
 * stack says it is ready (npm start: the demo keys are printed), and each request, storage
 * event and timer run logs with its own correlation id, never with one of another invocation
 * running at the same time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../lib/logger.ts';
import {
  type LambdaHandler,
  type LocalHttpServer,
  startHttpServer,
} from '../../../local/http-server.ts';
import { runInvocation } from '../../../local/invocation-scope.ts';
import { LocalStorageEvents } from '../../../local/storage-events.ts';
import { startLocalSweeper } from '../../../local/sweeper.ts';

// Scopes stay on in this worker once enabled; later test files here have no InvokeStore.
afterAll(() => {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY = '';
});

describe('GET /health before the stack is ready', () => {
  let server: LocalHttpServer;
  const calls: string[] = [];
  const handlerOf =
    (name: string): LambdaHandler =>
    async () => {
      calls.push(name);
      return { statusCode: 200, body: JSON.stringify({ status: 'ok' }) };
    };

  beforeAll(async () => {
    server = await startHttpServer({
      routes: [
        { name: 'health', method: 'GET', path: '/health' },
        { name: 'list', method: 'GET', path: '/list' },
      ],
      loadHandler: async (name) => handlerOf(name),
      ready: false,
    });
  });
  afterAll(() => server.close());

  it('answers 503 "starting" without calling the health handler; other routes work', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'starting' });
    expect(health.headers.get('x-request-id')).toBeTruthy();
    expect((await fetch(`${server.url}/list`)).status).toBe(200);
    expect(calls).toEqual(['list']);
  });

  it('answers through the handler once ready', async () => {
    server.setReady(true);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(calls).toContain('health');
  });
});

describe('log lines of overlapping invocations', () => {
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(() => {
    logger.setLogLevel('INFO');
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      const text = chunk.toString();
      for (const line of text.split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line));
      return true;
    });
  });
  afterEach(() => {
    lines.length = 0;
  });
  afterAll(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('SILENT');
  });

  /** A request that tags its logs (as the Middy chain does) and is still running meanwhile. */
  function slowRequest(requestId: string, release: Promise<void>): Promise<void> {
    return runInvocation(async () => {
      logger.resetKeys();
      logger.appendKeys({ requestId });
      logger.info('request started');
      await release;
      logger.info('request completed');
    }, requestId);
  }

  it('a storage event processed during a request carries its own correlation id', async () => {
    let release = () => {};
    const released = new Promise<void>((done) => {
      release = done;
    });
    const request = slowRequest('req-A', released);
    const events = new LocalStorageEvents({
      bucketName: 'bucket',
      loadHandler: async () => async () => logger.info('stored object processed'),
    });
    events.dispatch({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: new Date().toISOString(),
          s3: { bucket: { name: 'bucket' }, object: { key: 'uploads/2026/01/01/a.png', size: 1 } },
        },
      ],
    });
    await events.idle();
    release();
    await request;

    const byMessage = (message: string) => lines.find((line) => line.message === message);
    const processed = byMessage('stored object processed');
    expect(processed).toBeDefined();
    expect(processed?.requestId).toBeUndefined();
    expect(processed?.correlationId).toEqual(expect.any(String));
    expect(processed?.trigger).toBe('s3:ObjectCreated');
    expect(byMessage('request completed')).toMatchObject({ requestId: 'req-A' });
    expect(byMessage('request completed')?.correlationId).toBeUndefined();
  });

  it('each sweep run on its timer carries a correlation id of its own', async () => {
    await runInvocation(async () => {
      logger.appendKeys({ requestId: 'req-B' });
      logger.info('an earlier request');
    });
    // A table with nothing to purge: the purge sweep reports an empty run.
    const table = { tableName: 't', db: { send: async () => ({ Items: [] }) } };
    const sweeper = startLocalSweeper({
      config: { gracePeriodSeconds: 1 } as never,
      deps: { table } as never,
      intervalMs: 3_600_000,
      orphanIntervalMs: 3_600_000,
      onError: () => {},
    });
    await sweeper.runNow();
    await sweeper.stop();
    const done = lines.find((line) => line.message === 'purge sweep done');
    expect(done).toMatchObject({ trigger: 'timer:purge-sweep', correlationId: expect.any(String) });
    expect(done?.requestId).toBeUndefined();
  });
});
