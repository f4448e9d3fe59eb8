/**
 * `DELETE /api/v1/media/{id}`: the post's current author or a workspace owner/admin. The record
 * is soft-deleted in one conditional write (not held, not already deleted) and leaves the list
 * indexes at once; the stored file is kept for the grace period.
 */
import { canDeleteMedia, type Viewer } from '../auth/permissions.ts';
import type { TableContext } from '../db/client.ts';
import { ForbiddenError, LegalHoldError } from '../errors.ts';
import { attachmentNotFound, findVisibleAttachment } from './read.ts';
import { softDeleteAttachment } from './records.ts';

export interface DeleteDeps {
  table: TableContext;
  gracePeriodSeconds: number;
  now?: () => number;
}

export const legalHoldRefusal = () =>
  new LegalHoldError('This attachment is under legal hold and cannot be deleted.');

export async function deleteMedia(deps: DeleteDeps, viewer: Viewer, id: string) {
  const { attachment, post } = await findVisibleAttachment(deps.table, viewer, id);
  if (!canDeleteMedia(viewer, post)) {
    throw new ForbiddenError("Only the post's author or a workspace admin can delete its media.");
  }
  if (attachment.legalHold) throw legalHoldRefusal();
  const deletedAt = (deps.now ?? Date.now)();
  const purgeAfter = deletedAt + deps.gracePeriodSeconds * 1000;
  const refusal = await softDeleteAttachment(deps.table, attachment.id, deletedAt, purgeAfter);
  if (refusal === 'legal_hold') throw legalHoldRefusal();
  if (refusal === 'not_found') throw attachmentNotFound(id);
  return { id: attachment.id, deleted: true as const, purgeAfter };
}
