/**
 * The metrics handlers emit, read back from the EMF lines they print (what CloudWatch parses on
 * Lambda, and what `npm start` shows in its log).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError, ValidationError } from '../../../lib/errors.ts';
import { apiHandler } from '../../../lib/http/api-handler.ts';
import { type ApiContext, type ApiEvent, jsonResponse } from '../../../lib/http/types.ts';
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
