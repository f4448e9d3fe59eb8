/**
 * Scheduled (EventBridge rule): removes stored objects without a record, puts the objects of
 * deleted attachments out of service, and reports records without their object.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { sweepOrphans } from '../../lib/attachments/orphan-sweep.ts';
import { lifecycleDepsFrom } from '../../lib/attachments/stored-files.ts';
import { config, DEFAULT_ORPHAN_MIN_AGE_SECONDS } from '../../lib/config.ts';
import { eventPublisherFrom } from '../../lib/events/publisher.ts';
import { recordSweep, workerHandler } from '../../lib/observability/worker.ts';

const deps = {
  ...lifecycleDepsFrom(config),
  events: eventPublisherFrom(config),
  minAgeSeconds: config.orphanMinAgeSeconds ?? DEFAULT_ORPHAN_MIN_AGE_SECONDS,
};

export const handler = workerHandler(async (_event: ScheduledEvent, metrics) => {
  const report = await sweepOrphans(deps);
  // Counts only in the result: the keys are in the sweep's log lines.
  const counts = {
    removed: report.removed.length,
    heldOrphans: report.heldOrphans.length,
    softDeleted: report.softDeleted.length,
    restored: report.restored.length,
    missing: report.missing.length,
  };
  recordSweep(metrics, 'orphans', counts);
  return counts;
});
