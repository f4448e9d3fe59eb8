/**
 * The Middy chain of the workers (processing, sweeps, stream delivery), the counterpart of
 * `apiHandler`: traced, with its own `InvocationMetrics` per invocation (and a `ColdStart`
 * metric on the first); each record is published when it is made (see `metrics.ts`).
 */
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createMetrics, type InvocationMetrics, MetricUnit, startInvocation } from './metrics.ts';
import { tracer } from './tracing.ts';

export function workerHandler<Event, Result>(
  handler: (event: Event, metrics: InvocationMetrics, context: Context) => Promise<Result>,
) {
  const metrics = createMetrics();
  const chain = middy<Event, Result>()
    .use(captureLambdaHandler(tracer))
    .handler((event, context) =>
      handler(event, startInvocation(metrics, context.functionName), context),
    );
  // Callable with the event alone, as the local stack and tests invoke workers.
  return (event: Event, context?: Context): Promise<Result> =>
    chain(event, context ?? ({} as Context));
}

/**
 * A sweep run's time bound: the invocation's remaining time, when there is a Lambda context
 * (the local stack and tests invoke workers without one; their runs are bounded otherwise).
 */
export function remainingTimeOf(context: Context): { remainingTimeMs?: () => number } {
  return typeof context.getRemainingTimeInMillis === 'function'
    ? { remainingTimeMs: () => context.getRemainingTimeInMillis() }
    : {};
}

/** One sweep run's progress: `SweepRuns`, and `SweepItems` per result (purged, held, …). */
export function recordSweep(
  metrics: InvocationMetrics,
  sweep: string,
  /** A sweep's report: its numeric fields are counted, others ignored. */
  counts: object,
): void {
  metrics.publish([['SweepRuns', MetricUnit.Count, 1]], { sweep });
  for (const [result, count] of Object.entries(counts)) {
    if (typeof count !== 'number') continue;
    metrics.publish([['SweepItems', MetricUnit.Count, count]], { sweep, result });
  }
}

/** One stored file processed (or failed): how long it took, by outcome. */
export async function timedProcessing<Outcome extends string>(
  metrics: InvocationMetrics,
  run: () => Promise<Outcome>,
): Promise<Outcome> {
  const startedAt = performance.now();
  try {
    const outcome = await run();
    metrics.publish(
      [['ProcessingDuration', MetricUnit.Milliseconds, performance.now() - startedAt]],
      {
        outcome,
      },
    );
    return outcome;
  } catch (error) {
    metrics.publish([['ProcessingFailures', MetricUnit.Count, 1]]);
    throw error;
  }
}
