/**
 * The full storage reconciliation, an optional job (the scheduled orphan sweep,
 * `orphan-sweep.ts`, needs none of it: it reads only expired upload intents). It compares the
 * live objects under `uploads/` and `thumbnails/` with every attachment record, so its work
 * grows with the bucket and the table: the local stack runs it on its timer (small data), and a
 * deployment may run it now and then to repair what no intent covers (see
 * docs/sweeps.md for doing it from an S3 Inventory report at scale).
 *
 * - A live object no record refers to (an upload that crashed between its blob write and its
 *   commit, a thumbnail whose record update never happened) and older than the safety window
 *   is an orphan: it is soft-deleted and purged the way a deleted file is (locally at once; on
 *   AWS it becomes a noncurrent version that lifecycle expires after the grace period). An
 *   orphan under legal hold is left alone and reported.
 * - A live object whose record is deleted (a delete whose storage step failed, a restore whose
 *   record write was refused) is soft-deleted: its grace period runs on the record.
 * - A live record without its live object is reported (error log + `media.blob_missing`). If
 *   the object is only soft-deleted (a delete racing the restore of its own attachment), it is
 *   restored, which is what the record says.
 *
 * Never touched: objects younger than the safety window (an upload may be committing right
 * now), soft-deleted objects within their grace period (not listed: they are delete markers'
 * noncurrent versions on AWS and under `trash/` locally), and anything under legal hold.
 * Every decision is re-checked against a fresh, strongly consistent read of the record, since
 * the listing and the table scan are not one snapshot.
 *
 * Scale: the live keys are held in memory (a few hundred MB per million objects at most); past
 * that, drive this from an S3 Inventory report instead of a listing.
 */
import { attachmentSnapshot, domainEvent } from '../../events/domain-events.ts';
import { type EventPublisher, publishAfterCommit } from '../../events/publisher.ts';
import { logger } from '../../logger.ts';
import { type Attachment, attachmentIdOfKey, blobKeysOf } from '../model.ts';
import { getAttachment, scanAttachments } from '../records.ts';
import { type LifecycleDeps, nowOf } from '../stored-files.ts';

/** Where media objects live (the top-level prefixes of the bucket that hold attachments). */
export const MEDIA_KEY_PREFIXES = ['uploads/', 'thumbnails/'] as const;

export interface ReconcileDeps extends LifecycleDeps {
  /** `media.blob_missing` is a report, not a record change: published directly. */
  events: EventPublisher;
  /** Objects younger than this are never judged (an upload may be between blob and commit). */
  minAgeSeconds: number;
}

export interface ReconcileReport {
  /** Live objects without a record, removed. */
  removed: string[];
  /** Live objects without a record but under legal hold: left alone. */
  heldOrphans: string[];
  /** Live objects of deleted attachments, soft-deleted now. */
  softDeleted: string[];
  /** Soft-deleted objects of live attachments, restored now. */
  restored: string[];
  /** Live attachments whose object is gone: `{ attachmentId, key }`, reported. */
  missing: Array<{ attachmentId: string; key: string }>;
}

export async function reconcileStorage(deps: ReconcileDeps): Promise<ReconcileReport> {
  const startedAt = nowOf(deps);
  const cutoff = startedAt - deps.minAgeSeconds * 1000;
  const report: ReconcileReport = {
    removed: [],
    heldOrphans: [],
    softDeleted: [],
    restored: [],
    missing: [],
  };

  // Live objects old enough to judge, by key.
  const live = new Map<string, number>();
  for (const prefix of MEDIA_KEY_PREFIXES) {
    for await (const object of deps.store.list(prefix)) {
      live.set(object.key, object.lastModified.getTime());
    }
  }

  const ofDeleted: Attachment[] = [];
  const withoutFile: Array<{ attachment: Attachment; key: string }> = [];
  for await (const attachment of scanAttachments(deps.table)) {
    for (const key of blobKeysOf(attachment)) {
      const stored = live.has(key);
      live.delete(key); // claimed by a record, whatever its state
      if (stored && attachment.deletedAt !== null && attachment.deletedAt < cutoff) {
        ofDeleted.push(attachment);
      } else if (!stored && attachment.deletedAt === null && attachment.createdAt < cutoff) {
        withoutFile.push({ attachment, key });
      }
    }
  }

  for (const [key, lastModified] of live) {
    if (lastModified < cutoff) await removeOrphan(deps, key, report);
  }
  for (const attachment of new Set(ofDeleted)) await softDeleteLeftovers(deps, attachment, report);
  for (const { attachment, key } of withoutFile)
    await recoverMissing(deps, attachment, key, report);

  logger.info('storage reconciliation done', {
    removed: report.removed.length,
    heldOrphans: report.heldOrphans.length,
    softDeleted: report.softDeleted.length,
    restored: report.restored.length,
    missing: report.missing.length,
  });
  return report;
}

async function removeOrphan(deps: ReconcileDeps, key: string, report: ReconcileReport) {
  // The scan is not a snapshot: ask the record the key names, strongly consistent, once more.
  const id = attachmentIdOfKey(key);
  const owner = id ? await getAttachment(deps.table, id) : null;
  if (owner && blobKeysOf(owner).includes(key)) return;
  if (await deps.store.isLegallyHeld(key)) {
    logger.warn('storage reconciliation: object without a record is under legal hold, left alone', {
      key,
    });
    report.heldOrphans.push(key);
    return;
  }
  await deps.store.softDelete(key);
  await deps.store.purge(key);
  logger.warn('storage reconciliation: removed an object without a record', { key });
  report.removed.push(key);
}

async function softDeleteLeftovers(
  deps: ReconcileDeps,
  found: Attachment,
  report: ReconcileReport,
) {
  const attachment = await getAttachment(deps.table, found.id);
  if (!attachment || attachment.deletedAt === null) return; // restored or purged meanwhile
  for (const key of blobKeysOf(attachment)) {
    if (!(await deps.store.exists(key))) continue;
    await deps.store.softDelete(key);
    logger.warn('storage reconciliation: soft-deleted a live object of a deleted attachment', {
      attachmentId: attachment.id,
      key,
    });
    report.softDeleted.push(key);
  }
}

async function recoverMissing(
  deps: ReconcileDeps,
  found: Attachment,
  key: string,
  report: ReconcileReport,
) {
  const attachment = await getAttachment(deps.table, found.id);
  if (!attachment || attachment.deletedAt !== null || !blobKeysOf(attachment).includes(key)) {
    return;
  }
  if (await deps.store.exists(key)) return;
  if ((await deps.store.restore(key)) === 'restored') {
    logger.warn('storage reconciliation: restored the soft-deleted object of a live attachment', {
      attachmentId: attachment.id,
      key,
    });
    report.restored.push(key);
    return;
  }
  logger.error('storage reconciliation: attachment record without its stored object', {
    attachmentId: attachment.id,
    key,
  });
  report.missing.push({ attachmentId: attachment.id, key });
  await publishAfterCommit(deps.events, [
    domainEvent(
      'media.blob_missing',
      attachment.workspaceId,
      { attachment: attachmentSnapshot(attachment), missingKeys: [key] },
      nowOf(deps),
    ),
  ]);
}
