/**
 * Scheduled (EventBridge rule): removes the stored objects of uploads and processing runs that
 * never committed, found through their expired blob intents (no bucket listing, no table
 * scan), until the expired intents are done or the invocation's time runs low (the next run
 * continues).
 */
import type { ScheduledEvent } from 'aws-lambda';
import { sweepOrphans } from '../../lib/attachments/lifecycle/orphan-sweep.ts';
import { lifecycleDepsFrom } from '../../lib/attachments/stored-files.ts';
import { config } from '../../lib/config.ts';
import { recordSweep, remainingTimeOf, workerHandler } from '../../lib/observability/worker.ts';

const deps = lifecycleDepsFrom(config);

export const handler = workerHandler(async (_event: ScheduledEvent, metrics, context) => {
  const report = await sweepOrphans(deps, remainingTimeOf(context));
  // `more` as a count: 1 when the run stopped before the expired intents were done.
  recordSweep(metrics, 'orphans', { ...report, more: report.more ? 1 : 0 });
  return report;
});
