/**
 * The metrics handlers emit, read back from the EMF lines they print (what CloudWatch parses on
 * Lambda, and what `npm start` shows in its log).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError, ValidationError } from '../../../lib/errors.ts';
import { apiHandler } from '../../../lib/http/api-handler.ts';
import { type ApiContext, type ApiEvent, jsonResponse } from '../../../lib/http/types.ts';
import { logger } from '../../../lib/logger.ts';
import { DEFAULT_METRICS_NAMESPACE, recordUpload } from '../../../lib/observability/metrics.ts';
import { traced } from '../../../lib/observability/tracing.ts';
import { recordSweep, timedProcessing, workerHandler } from '../../../lib/observability/worker.ts';

interface Emf {
  _aws: {
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}

let lines: string[] = [];

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The EMF documents printed so far. */
function emitted(): Emf[] {
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Emf);
}

/** Documents carrying metric `name`, with their dimension names. */
function withMetric(name: string): Emf[] {
  return emitted().filter((doc) =>
    doc._aws.CloudWatchMetrics.some((m) => m.Metrics.some((metric) => metric.Name === name)),
  );
}

function event(routeKey: string): ApiEvent {
  return {
    routeKey,
    rawPath: '/x',
    headers: {},
    requestContext: { requestId: 'req-1', http: { method: 'GET' } },
  } as unknown as ApiEvent;
}

describe('API requests', () => {
  it('count, latency and no 5xx per route for an answered request', async () => {
    const handler = apiHandler(async (_event, context) => {
      recordUpload(context.metrics, { bytes: 1234, fileType: 'image' });
      return jsonResponse(201, {});
    });
    await handler(event('POST /api/v1/media'), {} as ApiContext);
    const [request] = withMetric('Requests');
    expect(request?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: DEFAULT_METRICS_NAMESPACE,
      Dimensions: [expect.arrayContaining(['service', 'route'])],
    });
    expect(request).toMatchObject({
      service: 'media',
      route: 'POST /api/v1/media',
      Requests: 1,
      ServerErrors: 0,
    });
    expect(typeof request?.Latency).toBe('number');
    const [upload] = withMetric('UploadBytes');
    expect(upload).toMatchObject({
      UploadBytes: 1234,
      fileType: 'image',
      route: 'POST /api/v1/media',
    });
    expect(upload?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'UploadBytes', Unit: 'Bytes' },
    ]);
  });

  it('rejects by error code, 5xx counted', async () => {
    const failing = (error: Error) =>
      apiHandler(async () => {
        throw error;
      });
    await failing(new ValidationError('bad'))(event('GET /api/v1/media'), {} as ApiContext);
    await failing(new NotFoundError('gone'))(event('GET /api/v1/media/{id}'), {} as ApiContext);
    await failing(new Error('boom'))(event('GET /api/v1/media'), {} as ApiContext);
    const rejects = withMetric('Rejects').map((doc) => ({
      route: doc.route,
      code: doc.code,
      Rejects: doc.Rejects,
    }));
    expect(rejects).toEqual([
      { route: 'GET /api/v1/media', code: 'validation_error', Rejects: 1 },
      { route: 'GET /api/v1/media/{id}', code: 'not_found', Rejects: 1 },
      { route: 'GET /api/v1/media', code: 'internal_error', Rejects: 1 },
    ]);
    expect(withMetric('ServerErrors').map((doc) => doc.ServerErrors)).toEqual([0, 0, 1]);
  });

  it('flushes after every request (one Requests line each)', async () => {
    const handler = apiHandler(async () => jsonResponse(200, {}));
    await handler(event('GET /health'), { functionName: 'health' } as ApiContext);
    await handler(event('GET /health'), { functionName: 'health' } as ApiContext);
    expect(withMetric('Requests').map((doc) => doc.Requests)).toEqual([1, 1]);
  });
});

describe('concurrent requests in one process (npm start, tests)', () => {
  it('never mix: one document per request, with its own route, and no warnings', async () => {
    const warnings = vi.spyOn(logger, 'warn');
    // One function serving two routes, as serve-file does; answers come back in another order
    // than the requests went in, so every request's metrics are open while others record theirs.
    const handler = apiHandler(async (request) => {
      const delay = Number(request.headers?.['x-delay']);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (request.routeKey.startsWith('HEAD')) throw new NotFoundError('gone');
      return jsonResponse(200, {});
    });
    const requests = [30, 0, 20, 10, 25, 5].map((delay, i) => {
      const routeKey = i % 2 === 0 ? 'GET /api/media/{file}' : 'HEAD /api/media/{file}';
      return handler({ ...event(routeKey), headers: { 'x-delay': String(delay) } }, {
        functionName: 'serve-file',
      } as ApiContext);
    });
    await Promise.all(requests);
    const perRequest = withMetric('Requests').map((doc) => [doc.route, doc.Requests]);
    expect(perRequest).toHaveLength(6);
    expect(perRequest.filter(([route]) => route === 'GET /api/media/{file}')).toEqual(
      Array(3).fill(['GET /api/media/{file}', 1]),
    );
    expect(perRequest.filter(([route]) => route === 'HEAD /api/media/{file}')).toEqual(
      Array(3).fill(['HEAD /api/media/{file}', 1]),
    );
    const rejects = withMetric('Rejects').map((doc) => [doc.route, doc.code, doc.Rejects]);
    expect(rejects).toEqual(Array(3).fill(['HEAD /api/media/{file}', 'not_found', 1]));
    expect(warnings).not.toHaveBeenCalled();
  });

  it('publish the cold start once per function, on its first request', async () => {
    // What Lambda sets for a function without provisioned concurrency (Powertools reads it).
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const handler = apiHandler(async () => jsonResponse(200, {}));
    const context = { functionName: 'media-limits' } as ApiContext;
    await Promise.all([handler(event('GET /x'), context), handler(event('GET /x'), context)]);
    await handler(event('GET /x'), context);
    expect(withMetric('ColdStart')).toEqual([
      expect.objectContaining({ function_name: 'media-limits', ColdStart: 1 }),
    ]);
  });
});

describe('workers', () => {
  it('sweep progress per result', async () => {
    const handler = workerHandler(async (_event: unknown, metrics) => {
      recordSweep(metrics, 'purge', { purged: 3, held: 1, more: false });
      return 'done';
    });
    expect(await handler({})).toBe('done');
    const items = withMetric('SweepItems').map((doc) => [doc.sweep, doc.result, doc.SweepItems]);
    expect(items).toEqual([
      ['purge', 'purged', 3],
      ['purge', 'held', 1],
    ]);
    expect(withMetric('SweepRuns')[0]).toMatchObject({ sweep: 'purge', SweepRuns: 1 });
  });

  it('processing duration by outcome, and failures', async () => {
    const handler = workerHandler(async (_event: unknown, metrics) => {
      await timedProcessing(metrics, async () => 'processed');
      await expect(
        timedProcessing(metrics, async () => {
          throw new Error('sharp failed');
        }),
      ).rejects.toThrow('sharp failed');
      return null;
    });
    await handler({});
    expect(withMetric('ProcessingDuration')[0]).toMatchObject({ outcome: 'processed' });
    expect(withMetric('ProcessingFailures')[0]).toMatchObject({ ProcessingFailures: 1 });
  });
});

describe('tracing', () => {
  it('leaves SDK clients untouched outside Lambda (no X-Ray daemon to talk to)', () => {
    const client = new S3Client({ region: 'us-east-1' });
    expect(traced(client)).toBe(client);
  });
});
