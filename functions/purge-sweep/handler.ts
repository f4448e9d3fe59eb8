/**
 * Scheduled (EventBridge rule): purges attachments whose grace period is over, every shard of
 * the purge queue in parallel, until the queue is done or the invocation's time runs low (the
 * next run continues). The files go by S3 lifecycle; this removes the records (each
 * removal's `media.purged` comes from the table's change stream).
 */
import type { ScheduledEvent } from 'aws-lambda';
import { purgeExpired } from '../../lib/attachments/lifecycle/purge-sweep.ts';
import { lifecycleDepsFrom } from '../../lib/attachments/stored-files.ts';
import { config } from '../../lib/config.ts';
import { recordSweep, remainingTimeOf, workerHandler } from '../../lib/observability/worker.ts';

const deps = lifecycleDepsFrom(config);

export const handler = workerHandler(async (_event: ScheduledEvent, metrics, context) => {
  const report = await purgeExpired(deps, remainingTimeOf(context));
  // `more` as a count: 1 when the run stopped before the queue was done (a backlog).
  recordSweep(metrics, 'purge', { ...report, more: report.more ? 1 : 0 });
  return report;
});
