/**
 * The purge sweep (scheduled Lambda `purge-sweep`; locally `local/sweeper.ts` runs the same
 * function on a timer): attachments deleted more than the grace period ago, and not held, are
 * purged for good.
 *
 * Candidates come from the purge queue (`PURGE` partitions of the due-work index), which only
 * holds deleted, unheld attachments, sharded like the lists: a run walks every shard in
 * parallel, in bounded batches, until the queue is done or the run's bounds are reached (time
 * left in the invocation, or `maxItems`); then it stops cleanly and the next run continues
 * (`lib/db/due-queue.ts`). There is no hourly cap: a run takes whatever its time allows. For
 * each candidate, in this order:
 * 1. claim the record (conditional: still deleted, deadline passed, not held, not claimed by a
 *    live run). A hold or a restore that commits first wins and the attachment is skipped;
 *    once claimed, neither can commit any more, and no concurrent run touches it (see
 *    `claimForPurge`): two runs at once never purge one attachment twice.
 * 2. the stored files: soft-deleted first if they are still live (a delete whose storage step
 *    failed), then `store.purge` removes them locally and refuses a held one; on AWS it does
 *    nothing, because lifecycle expires the noncurrent versions by itself (and never a held
 *    one). A file reported `held` stops here and the claim is given back: storage holds
 *    what the record does not (a leftover of an interrupted hold change), and nothing is
 *    removed.
 * 3. delete the record (only with this run's claim); DynamoDB TTL is the backstop if no sweep
 *    runs. Either removal is one record in the table's change stream, from which `media.purged`
 *    is derived.
 * If a run stops midway, the record stays due and a later run claims it again once the claim's
 * lease is over (purging a file twice is a no-op).
 */
import { randomUUID } from 'node:crypto';
import { type RunBounds, walkDueQueue } from '../../db/due-queue.ts';
import { logger } from '../../logger.ts';
import { blobKeysOf } from '../model.ts';
import {
  attachmentFromItem,
  claimForPurge,
  type PurgeClaim,
  purgeAttachmentRecord,
  releasePurgeClaim,
} from '../records.ts';
import { type LifecycleDeps, nowOf } from '../stored-files.ts';

export interface PurgeReport {
  /** Attachments whose record was purged (and files, where the store purges them itself). */
  purged: number;
  /** Skipped because storage holds a file the record does not (see module comment). */
  held: number;
  /** Skipped because the record changed meanwhile (held, restored, claimed by another run). */
  skipped: number;
  /** Failed (storage or table unavailable): logged, still due, the next run retries. */
  failed: number;
  /** Stopped by a bound before the queue was done: the next run continues. */
  more: boolean;
}

export async function purgeExpired(
  deps: LifecycleDeps,
  bounds: RunBounds = {},
): Promise<PurgeReport> {
  const claim: PurgeClaim = { now: nowOf(deps), run: randomUUID() };
  const report: PurgeReport = { purged: 0, held: 0, skipped: 0, failed: 0, more: false };
  const walked = await walkDueQueue(deps.table, 'PURGE', claim.now, bounds, async (item) => {
    const outcome = await purgeOne(deps, claim, attachmentFromItem(item).id);
    report[outcome] += 1;
  });
  report.failed = walked.failed;
  report.more = walked.more;
  logger.info('purge sweep done', { ...report });
  return report;
}

async function purgeOne(
  deps: LifecycleDeps,
  claim: PurgeClaim,
  id: string,
): Promise<'purged' | 'held' | 'skipped'> {
  // The index may lag behind a hold or a restore: the claim re-checks the record.
  const claimed = await claimForPurge(deps.table, id, claim);
  if (!claimed) return 'skipped';
  const outcomes = [];
  for (const key of blobKeysOf(claimed)) {
    // A delete whose storage step failed (or a restore whose record write was refused) left
    // the file live: soft-deleted now, so the purge (or lifecycle, on AWS) reaches it too.
    await deps.store.softDelete(key);
    outcomes.push(await deps.store.purge(key));
  }
  if (outcomes.includes('held')) {
    logger.warn('purge: storage holds a file of an attachment the record does not hold', {
      attachmentId: claimed.id,
    });
    await releasePurgeClaim(deps.table, claimed.id, claim);
    return 'held';
  }
  const purged = await purgeAttachmentRecord(deps.table, claimed.id, claim);
  if (!purged) return 'skipped';
  return 'purged';
}
