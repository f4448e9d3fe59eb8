/**
 * `DELETE /api/v1/media/{id}`: the post's current author or a workspace owner/admin. The record
 * is soft-deleted in one conditional write (not held, not already deleted): it leaves the list
 * indexes at once and gets its purge schedule (TTL + purge queue). Then the files are
 * soft-deleted (kept restorable for the grace period). `media.deleted` follows from the
 * committed write (the table's change stream).
 *
 * Failure order: the record commits first. If the storage step then fails, the answer is still
 * 200 (the delete happened: the attachment is gone from the API, and a retry would only see
 * 404); the files stay live but unserved until the orphan sweep soft-deletes them. The other
 * order could leave a live record whose file is gone, which the contract forbids.
 */
import { canDeleteMedia, type Viewer } from '../../auth/permissions.ts';
import { ForbiddenError, LegalHoldError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { attachmentNotFound, findVisibleAttachment } from '../read/read.ts';
import { markDeleted } from '../records.ts';
import { type LifecycleDeps, nowOf, softDeleteFiles } from '../stored-files.ts';

export interface DeleteDeps extends LifecycleDeps {
  gracePeriodSeconds: number;
}

export const legalHoldRefusal = () =>
  new LegalHoldError('This attachment is under legal hold and cannot be deleted.');

export async function deleteMedia(deps: DeleteDeps, viewer: Viewer, id: string) {
  const { attachment, post } = await findVisibleAttachment(deps.table, viewer, id);
  if (!canDeleteMedia(viewer, post)) {
    throw new ForbiddenError("Only the post's author or a workspace admin can delete its media.");
  }
  if (attachment.legalHold) throw legalHoldRefusal();
  const deletedAt = nowOf(deps);
  const purgeAfter = deletedAt + deps.gracePeriodSeconds * 1000;
  const { deleted, refusal } = await markDeleted(deps.table, attachment.id, deletedAt, purgeAfter);
  if (refusal === 'legal_hold') throw legalHoldRefusal();
  if (!deleted) throw attachmentNotFound(id);

  try {
    await softDeleteFiles(deps.store, deleted);
  } catch (error) {
    logger.error('deleted attachment: files not soft-deleted, left to the orphan sweep', {
      attachmentId: attachment.id,
      error: error as Error,
    });
  }
  return { id: attachment.id, deleted: true as const, purgeAfter };
}
