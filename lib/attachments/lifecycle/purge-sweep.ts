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
import { type RunBounds, type SweepReport, sweepDueQueue } from '../../db/due-queue.ts';
import { attachmentIdOfKey } from '../../db/keys.ts';
import { logger } from '../../logger.ts';
import { blobKeysOf } from '../model.ts';
import {
  claimForPurge,
  type PurgeClaim,
  purgeAttachmentRecord,
  releasePurgeClaim,
} from '../records.ts';
import { type LifecycleDeps, nowOf } from '../stored-files.ts';

/**
 * `purged`: attachments whose record was purged (and files, where the store purges them
 * itself). `held`: skipped because storage holds a file the record does not (see module
 * comment). `skipped`: the record changed meanwhile (held, restored, claimed by another run).
 */
const PURGE_OUTCOMES = ['purged', 'held', 'skipped'] as const;
export type PurgeReport = SweepReport<(typeof PURGE_OUTCOMES)[number]>;

export function purgeExpired(deps: LifecycleDeps, bounds: RunBounds = {}): Promise<PurgeReport> {
  return sweepDueQueue(
    deps.table,
    {
      kind: 'PURGE',
      name: 'purge',
      now: nowOf(deps),
      outcomes: PURGE_OUTCOMES,
      handle: (key, claim) => purgeOne(deps, claim, attachmentIdOfKey(key)),
    },
    bounds,
  );
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
