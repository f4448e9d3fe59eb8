/**
 * Finding one attachment for a caller: 404 for anything that does not exist, is deleted, is in
 * another workspace or whose post the caller cannot see *now* (never leak existence).
 */
import type { Viewer } from '../../auth/permissions.ts';
import type { TableContext } from '../../db/client.ts';
import { keys } from '../../db/keys.ts';
import type { RoutePrefetch } from '../../db/prefetch.ts';
import type { Post } from '../../directory/model.ts';
import { getUsers } from '../../directory/users.ts';
import { NotFoundError } from '../../errors.ts';
import { isId } from '../../ids.ts';
import type { Attachment } from '../model.ts';
import { toAttachmentDetail } from '../present.ts';
import { getAttachment } from '../records.ts';
import { VisibilityResolver } from './visibility.ts';

/**
 * What `findVisibleAttachment` (and `presentAttachment`, with `withUploader`) will read, for
 * authentication to read ahead: the attachment with the API key, then its post, project, the
 * caller's project membership (and its uploader) with the caller's membership. Two round trips
 * for a get instead of six.
 */
export function visibleAttachmentPrefetch(
  id: string,
  { withUploader = false } = {},
): RoutePrefetch {
  if (!isId('attachment', id)) return {};
  const attachmentKey = keys.attachment(id);
  return {
    withKey: [attachmentKey],
    withMembership: (caller, peek) => {
      const item = peek(attachmentKey);
      if (!item || item.workspaceId !== caller.workspaceId) return [];
      const { postId, projectId, uploaderId } = item as Record<string, string>;
      return [
        keys.post(postId as string),
        keys.project(projectId as string),
        keys.projectMember(projectId as string, caller.userId),
        ...(withUploader ? [keys.user(uploaderId as string)] : []),
      ];
    },
  };
}

export const attachmentNotFound = (id: string) =>
  new NotFoundError(`Attachment ${id.slice(0, 64)} was not found.`);

/**
 * `includeDeleted`: also find a soft-deleted attachment (restore and legal holds act on them);
 * the caller decides what its state allows.
 */
export async function findVisibleAttachment(
  table: TableContext,
  viewer: Viewer,
  id: string,
  { includeDeleted = false } = {},
): Promise<{ attachment: Attachment; post: Post }> {
  const attachment = isId('attachment', id) ? await getAttachment(table, id) : null;
  if (
    !attachment ||
    (attachment.deletedAt !== null && !includeDeleted) ||
    attachment.workspaceId !== viewer.workspaceId
  ) {
    throw attachmentNotFound(id);
  }
  const access = await new VisibilityResolver(table, viewer).accessOf(attachment.postId);
  if (!access.visible || !access.post) throw attachmentNotFound(id);
  return { attachment, post: access.post };
}

export async function getMedia(table: TableContext, viewer: Viewer, id: string) {
  const { attachment, post } = await findVisibleAttachment(table, viewer, id);
  return presentAttachment(table, attachment, post);
}

/** The get response of an attachment whose post is known (looks up its uploader). */
export async function presentAttachment(table: TableContext, attachment: Attachment, post: Post) {
  const uploader = (await getUsers(table, [attachment.uploaderId])).get(attachment.uploaderId);
  return toAttachmentDetail(attachment, uploader ?? null, post);
}
