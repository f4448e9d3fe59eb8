/**
 * The purge sweep (scheduled Lambda `purge-sweep`; locally `local/sweeper.ts` runs the same
 * function on a timer): attachments deleted more than the grace period ago, and not held, are
 * purged for good.
 *
 * Candidates come from the purge queue index (`ByPurgeAfter`), which only holds deleted,
 * unheld attachments, oldest deadline first: a run reads what is due and nothing else. For
 * each, in this order:
 * 1. claim the record (conditional: still deleted, deadline passed, not held). A hold or a
 *    restore that commits first wins and the attachment is skipped; once claimed, neither can
 *    commit any more (see `claimForPurge`).
 * 2. the stored files: `store.purge` removes them locally and refuses a held one; on AWS it
 *    does nothing, because lifecycle expires the noncurrent versions by itself (and never a
 *    held one). A file reported `held` stops here: storage holds what the record does not
 *    (a leftover of an interrupted hold change), and nothing is removed.
 * 3. delete the record; DynamoDB TTL is the backstop if no sweep runs. Either removal is one
 *    record in the table's change stream, from which `media.purged` is derived.
 * If the sweep stops midway, the record is still due and the next run claims it again (purging
 * a file twice is a no-op).
 */
import { logger } from '../logger.ts';
import { blobKeysOf } from './model.ts';
import { claimForPurge, purgeAttachmentRecord, purgeCandidates } from './records.ts';
import { type LifecycleDeps, nowOf } from './stored-files.ts';

export interface PurgeReport {
  /** Attachments whose record was purged (and files, where the store purges them itself). */
  purged: number;
  /** Skipped because storage holds a file the record does not (see module comment). */
  held: number;
  /** Skipped because the record changed meanwhile (held, restored or purged by another run). */
  skipped: number;
  /** More were due than one run may purge; the next run continues. */
  more: boolean;
}

/** Attachments purged per run at most: a run stays well within the Lambda timeout. */
export const DEFAULT_PURGE_BATCH = 500;

export async function purgeExpired(
  deps: LifecycleDeps,
  { limit = DEFAULT_PURGE_BATCH } = {},
): Promise<PurgeReport> {
  const now = nowOf(deps);
  const report: PurgeReport = { purged: 0, held: 0, skipped: 0, more: false };
  let seen = 0;
  for await (const candidate of purgeCandidates(deps.table, now)) {
    if (seen >= limit) {
      report.more = true;
      break;
    }
    seen += 1;
    // The index may lag behind a hold or a restore: the record is re-checked below anyway.
    if (candidate.legalHold || candidate.deletedAt === null) {
      report.skipped += 1;
      continue;
    }
    const claimed = await claimForPurge(deps.table, candidate.id, now);
    if (!claimed) {
      report.skipped += 1;
      continue;
    }
    const outcomes = [];
    for (const key of blobKeysOf(claimed)) outcomes.push(await deps.store.purge(key));
    if (outcomes.includes('held')) {
      logger.warn('purge: storage holds a file of an attachment the record does not hold', {
        attachmentId: claimed.id,
      });
      report.held += 1;
      continue;
    }
    const purged = await purgeAttachmentRecord(deps.table, claimed.id);
    if (!purged) {
      report.skipped += 1;
      continue;
    }
    report.purged += 1;
  }
  logger.info('purge sweep done', { ...report });
  return report;
}
