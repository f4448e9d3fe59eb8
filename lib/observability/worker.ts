/**
 * The Middy chain of the workers (processing, sweeps), the counterpart of `apiHandler`: traced,
 * with metrics flushed after every invocation (and a `ColdStart` metric).
 */
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createMetrics, type Metrics, MetricUnit } from './metrics.ts';
import { tracer } from './tracing.ts';

export function workerHandler<Event, Result>(
  handler: (event: Event, metrics: Metrics, context: Context) => Promise<Result>,
) {
  const metrics = createMetrics();
  const chain = middy<Event, Result>()
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler((event, context) => handler(event, metrics, context));
  // Callable with the event alone, as the local stack and tests invoke workers.
  return (event: Event, context?: Context): Promise<Result> =>
    chain(event, context ?? ({} as Context));
}

/** One sweep run's progress: `SweepItems` per result (purged, held, removed, …). */
export function recordSweep(
  metrics: Metrics,
  sweep: string,
  /** A sweep's report: its numeric fields are counted, others ignored. */
  counts: object,
): void {
  metrics.setDefaultDimensions({ sweep });
  metrics.addMetric('SweepRuns', MetricUnit.Count, 1);
  for (const [result, count] of Object.entries(counts)) {
    if (typeof count !== 'number') continue;
    const single = metrics.singleMetric();
    single.addDimension('result', result);
    single.addMetric('SweepItems', MetricUnit.Count, count);
  }
}

/** One stored file processed (or failed): how long it took, by outcome. */
export async function timedProcessing<Outcome extends string>(
  metrics: Metrics,
  run: () => Promise<Outcome>,
): Promise<Outcome> {
  const startedAt = performance.now();
  try {
    const outcome = await run();
    const single = metrics.singleMetric();
    single.addDimension('outcome', outcome);
    single.addMetric('ProcessingDuration', MetricUnit.Milliseconds, performance.now() - startedAt);
    return outcome;
  } catch (error) {
    metrics.addMetric('ProcessingFailures', MetricUnit.Count, 1);
    throw error;
  }
}
