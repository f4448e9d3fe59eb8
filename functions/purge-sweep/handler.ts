/**
 * Scheduled (EventBridge rule): purges attachments whose grace period is over. The files go
 * by S3 lifecycle; this removes the records (each removal's `media.purged` comes from the
 * table's change stream).
 */
import type { ScheduledEvent } from 'aws-lambda';
import { purgeExpired } from '../../lib/attachments/purge-sweep.ts';
import { lifecycleDepsFrom } from '../../lib/attachments/stored-files.ts';
import { config } from '../../lib/config.ts';
import { recordSweep, workerHandler } from '../../lib/observability/worker.ts';

const deps = lifecycleDepsFrom(config);

export const handler = workerHandler(async (_event: ScheduledEvent, metrics) => {
  const report = await purgeExpired(deps);
  recordSweep(metrics, 'purge', report);
  return report;
});
