/**
 * CloudWatch metrics as Embedded Metric Format log lines (Powertools Metrics): on Lambda,
 * CloudWatch turns them into metrics; under `npm start` they are the same JSON lines in the log.
 * Namespace `POWERTOOLS_METRICS_NAMESPACE` (the construct sets it; default `MediaService`),
 * dimension `service`, plus the dimensions named below.
 *
 * | metric                     | unit         | dimensions        | recorded by                  |
 * | -------------------------- | ------------ | ----------------- | ---------------------------- |
 * | `Requests`, `Latency`      | Count, ms    | route             | every API request            |
 * | `ServerErrors`             | Count        | route             | 5xx answers (0 otherwise)    |
 * | `Rejects`                  | Count        | route, code       | every error answer, by `code` (413 `payload_too_large`, 415 …) |
 * | `UploadBytes`              | Bytes        | route, fileType   | each stored upload           |
 * | `ProcessingDuration`       | ms           | outcome           | each processed stored file   |
 * | `ProcessingFailures`       | Count        | —                 | each failed processing run   |
 * | `SweepItems`               | Count        | sweep, result     | each sweep run, per result   |
 * | `ColdStart`                | Count        | function_name     | first invocation (Powertools) |
 *
 * Flush discipline: one `Metrics` instance per handler (`createMetrics`), and every record is
 * published the moment it is made, in one synchronous step (dimensions, values, flush: see
 * `InvocationMetrics.publish`). Nothing waits in the instance's buffer across an `await`, so
 * invocations that run concurrently in one process (`npm start`, tests) can never mix their
 * values or dimensions, with or without the Lambda runtime's per-invocation store. (Powertools'
 * `logMetrics` middleware flushes after the handler instead, and its default dimensions are
 * per instance, not per invocation: a route's dimension would leak into a concurrent request
 * of another route of the same function.)
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from '../logger.ts';

export type { Metrics };
export { MetricUnit };

export const DEFAULT_METRICS_NAMESPACE = 'MediaService';

export function createMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'media',
    // Its own warnings (e.g. an invalid dimension) through the service's logger.
    logger,
  });
}

type Dimensions = Readonly<Record<string, string>>;

/** One metric value: name, unit, value. */
export type MetricValue = readonly [
  name: string,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value: number,
];

/**
 * The metrics of one invocation (an API request, a batch, a sweep run): its dimensions are
 * fixed when it starts, and each record goes out at once as its own EMF document.
 */
export class InvocationMetrics {
  /** When the invocation started (`performance.now()`), for its latency. */
  readonly startedAt = performance.now();

  constructor(
    private readonly metrics: Metrics,
    readonly dimensions: Dimensions = {},
  ) {}

  /**
   * Publishes `values` as one EMF document with the invocation's dimensions plus `extra`.
   * Synchronous from the first dimension to the flush: no other invocation runs in between.
   */
  publish(values: readonly MetricValue[], extra: Dimensions = {}): void {
    const { metrics } = this;
    for (const [name, value] of Object.entries({ ...this.dimensions, ...extra })) {
      metrics.addDimension(name, value);
    }
    for (const [name, unit, value] of values) metrics.addMetric(name, unit, value);
    metrics.publishStoredMetrics();
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }
}

/**
 * Starts an invocation's metrics; the process's first invocation of this handler also publishes
 * Powertools' `ColdStart` metric (`function_name` dimension).
 */
export function startInvocation(
  metrics: Metrics,
  functionName: string | undefined,
  dimensions: Dimensions = {},
): InvocationMetrics {
  metrics.captureColdStartMetric(functionName);
  return new InvocationMetrics(metrics, dimensions);
}

/** One API answer: count, latency, 5xx, and the error `code` of a rejected request. */
export function recordRequest(
  metrics: InvocationMetrics,
  answer: { statusCode: number; durationMs: number; code?: string },
): void {
  metrics.publish([
    ['Requests', MetricUnit.Count, 1],
    ['Latency', MetricUnit.Milliseconds, answer.durationMs],
    ['ServerErrors', MetricUnit.Count, answer.statusCode >= 500 ? 1 : 0],
  ]);
  if (answer.code) metrics.publish([['Rejects', MetricUnit.Count, 1]], { code: answer.code });
}

/** A stored upload: its size, by file type (count = the metric's sample count). */
export function recordUpload(
  metrics: InvocationMetrics,
  upload: { bytes: number; fileType: string },
): void {
  metrics.publish([['UploadBytes', MetricUnit.Bytes, upload.bytes]], {
    fileType: upload.fileType,
  });
}
