/**
 * `POST /api/v1/media/{id}/restore`: owners/admins bring a deleted attachment back within its
 * grace period, exactly as it was (same id, url, metadata, legal hold and list position: the
 * record keeps every attribute, only the deletion and its purge schedule are removed).
 *
 * Files first, then the record, so there is never a live record without its file. If the
 * record write is refused (restored, deleted again or purged meanwhile), the files are
 * soft-deleted again when the record says deleted; otherwise the orphan sweep tidies up.
 * A delete racing the restore of its own attachment can soft-delete the files after the
 * restore put them back; the orphan sweep finds that live record without a live file and
 * restores the file (it is still within its grace period then).
 */
import type { Viewer } from '../../auth/permissions.ts';
import { NotFoundError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import type { Attachment } from '../model.ts';
import { findVisibleAttachment, presentAttachment } from '../read/read.ts';
import { getAttachment, restoreAttachmentRecord } from '../records.ts';
import { type LifecycleDeps, nowOf, restoreFiles, softDeleteFiles } from '../stored-files.ts';
import { assertMayManageRetention } from './legal-hold.ts';

const notDeleted = (id: string) =>
  new NotFoundError(`Attachment ${id} is not deleted; there is nothing to restore.`);

const graceOver = (id: string, purgeAfter: number | null) =>
  new NotFoundError(
    `The grace period of attachment ${id} ended at ${new Date(purgeAfter ?? 0).toISOString()}; ` +
      'it can no longer be restored.',
  );

export async function restoreMedia(deps: LifecycleDeps, viewer: Viewer, id: string) {
  assertMayManageRetention(viewer);
  const { attachment, post } = await findVisibleAttachment(deps.table, viewer, id, {
    includeDeleted: true,
  });
  const now = nowOf(deps);
  if (attachment.deletedAt === null) throw notDeleted(attachment.id);
  // 404 once the deadline has passed, whether or not the purge has run yet.
  if ((attachment.purgeAfter ?? 0) <= now) throw graceOver(attachment.id, attachment.purgeAfter);

  if ((await restoreFiles(deps.store, attachment)) === 'missing') {
    logger.error('restore: the file of a deleted attachment is gone within its grace period', {
      attachmentId: attachment.id,
      storageKey: attachment.storageKey,
    });
    throw new NotFoundError(`The file of attachment ${attachment.id} can no longer be restored.`);
  }

  const restored = await restoreAttachmentRecord(deps.table, attachment, now);
  if (!restored) {
    const current = await getAttachment(deps.table, attachment.id);
    if (current?.deletedAt !== null) await putFilesBack(deps, attachment);
    if (current?.deletedAt === null) throw notDeleted(attachment.id);
    throw graceOver(attachment.id, current?.purgeAfter ?? attachment.purgeAfter);
  }

  return presentAttachment(deps.table, restored, post);
}

/** Undoes our file restore after the record refused it. Best effort (the sweep repairs). */
async function putFilesBack(deps: LifecycleDeps, attachment: Attachment): Promise<void> {
  try {
    await softDeleteFiles(deps.store, attachment);
  } catch (error) {
    logger.error('restore refused: files left live for the orphan sweep', {
      attachmentId: attachment.id,
      error: error as Error,
    });
  }
}
