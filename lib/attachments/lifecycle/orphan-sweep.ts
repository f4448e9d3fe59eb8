/**
 * The orphan sweep (scheduled Lambda `orphan-sweep`; locally `local/sweeper.ts`): removes the
 * stored objects that were written for an attachment whose record never came to refer to them
 * (an upload that crashed between its blob write and its commit, or whose commit outcome was
 * unknown; a processing run that died between its thumbnail and the record update).
 *
 * It never lists the bucket nor scans the table: every such object has a blob intent
 * (`blob-intents.ts`), and the sweep reads only the intents whose expiry has passed, from the
 * due-work queue, every shard in parallel in bounded batches until the queue is done or the
 * run's bounds are reached (`lib/db/due-queue.ts`). Work per run is independent of the number
 * of attachments. For each expired intent:
 * 1. claim it (conditional: still there, expired, not claimed by a live run). From then on the
 *    upload's commit transaction, which settles the intent, can no longer succeed; a commit
 *    that came first has deleted the intent and there is nothing to claim.
 * 2. read the attachment's record (strongly consistent): if it refers to the object (a
 *    thumbnail recorded by a run that could not drop its intent), the object is kept.
 * 3. otherwise: under legal hold, the object is left alone and reported; else it is removed the
 *    way a deleted file is (soft-deleted, then purged: locally at once, on AWS a noncurrent
 *    version that lifecycle expires, never a held one).
 * 4. delete the intent.
 * A run that stops midway leaves its claimed intents; a later run takes them over once the
 * claim's lease is over (removing an object twice is a no-op).
 */
import { type RunBounds, type SweepReport, sweepDueQueue } from '../../db/due-queue.ts';
import { blobIntentOfKey } from '../../db/keys.ts';
import { logger } from '../../logger.ts';
import { blobKeysOf } from '../model.ts';
import { getAttachment } from '../records.ts';
import { type LifecycleDeps, nowOf } from '../stored-files.ts';
import {
  type BlobIntent,
  claimExpiredIntent,
  deleteSweptIntent,
  type IntentClaim,
} from '../upload/blob-intents.ts';

/**
 * `removed`: objects without a record, removed. `heldOrphans`: objects without a record but
 * under legal hold, left alone (logged with their key). `committed`: intents whose object the
 * record does refer to (only the intent went). `skipped`: intents settled or claimed by
 * another run meanwhile.
 */
const ORPHAN_OUTCOMES = ['removed', 'heldOrphans', 'committed', 'skipped'] as const;
export type OrphanReport = SweepReport<(typeof ORPHAN_OUTCOMES)[number]>;

export function sweepOrphans(deps: LifecycleDeps, bounds: RunBounds = {}): Promise<OrphanReport> {
  return sweepDueQueue(
    deps.table,
    {
      kind: 'INTENT',
      name: 'orphan',
      now: nowOf(deps),
      outcomes: ORPHAN_OUTCOMES,
      handle: (key, claim) => settleExpiredIntent(deps, claim, blobIntentOfKey(key)),
    },
    bounds,
  );
}

async function settleExpiredIntent(
  deps: LifecycleDeps,
  claim: IntentClaim,
  queued: Pick<BlobIntent, 'attachmentId' | 'blobKey'>,
): Promise<'removed' | 'heldOrphans' | 'committed' | 'skipped'> {
  const intent = await claimExpiredIntent(deps.table, queued, claim);
  if (!intent) return 'skipped';
  const key = intent.blobKey;
  const owner = await getAttachment(deps.table, intent.attachmentId);
  let outcome: 'removed' | 'heldOrphans' | 'committed';
  if (owner && blobKeysOf(owner).includes(key)) {
    outcome = 'committed';
  } else if (await deps.store.isLegallyHeld(key)) {
    logger.warn('orphan sweep: object without a record is under legal hold, left alone', { key });
    outcome = 'heldOrphans';
  } else {
    await deps.store.softDelete(key);
    await deps.store.purge(key);
    logger.warn('orphan sweep: removed an object no record refers to', {
      attachmentId: intent.attachmentId,
      key,
    });
    outcome = 'removed';
  }
  await deleteSweptIntent(deps.table, intent, claim);
  return outcome;
}
