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
 * One instance per handler (`createMetrics`), flushed by the `logMetrics` Middy middleware after
 * each invocation: a Lambda process handles one event at a time, and under `npm start` each
 * route's handler keeps its own buffer, so dimensions of concurrent requests never mix.
 * Per-request dimensions (error code, file type) go out as single-metric lines.
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

/** One API answer: count, latency, 5xx, and the error `code` of a rejected request. */
export function recordRequest(
  metrics: Metrics,
  answer: { route: string; statusCode: number; durationMs: number; code?: string },
): void {
  // The request middleware set it already; kept here so the function stands on its own.
  metrics.setDefaultDimensions({ route: answer.route });
  metrics.addMetric('Requests', MetricUnit.Count, 1);
  metrics.addMetric('Latency', MetricUnit.Milliseconds, answer.durationMs);
  metrics.addMetric('ServerErrors', MetricUnit.Count, answer.statusCode >= 500 ? 1 : 0);
  if (answer.code) {
    const reject = metrics.singleMetric();
    reject.addDimension('code', answer.code);
    reject.addMetric('Rejects', MetricUnit.Count, 1);
  }
}

/** A stored upload: its size, by file type (count = the metric's sample count). */
export function recordUpload(metrics: Metrics, upload: { bytes: number; fileType: string }): void {
  const single = metrics.singleMetric();
  single.addDimension('fileType', upload.fileType);
  single.addMetric('UploadBytes', MetricUnit.Bytes, upload.bytes);
}
