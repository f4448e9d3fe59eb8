/**
 * `POST /api/v1/media`. Cheap checks first (schema, declared type, size from the base64 length,
 * permission), then decode and sniff, then the write order that never loses data: the blob is
 * stored first, then the record is committed in a transaction that re-checks the permission; if
 * the commit does not happen the blob is removed again. A crash between the two leaves a blob
 * without a record, which the orphan sweep removes after its safety window.
 */
import { decideUpload, type Viewer } from '../auth/permissions.ts';
import type { TableContext } from '../db/client.ts';
import type { Post } from '../directory/model.ts';
import { getUsers } from '../directory/users.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { newId } from '../ids.ts';
import { logger } from '../logger.ts';
import { sanitizeFileName } from '../media/file-name.ts';
import { inspectMedia } from '../media/inspect.ts';
import { resolveDeclaredType } from '../media/media-types.ts';
import { type MediaStore, sha256Hex } from '../storage/media-store.ts';
import { parseRequest } from '../validation.ts';
import { assertWithinLimit, base64Payload, decodeBase64 } from './file-data.ts';
import { type Attachment, storageKeyFor } from './model.ts';
import { toAttachmentDetail } from './present.ts';
import { commitAttachment } from './records.ts';
import { type UploadRequest, uploadRequestSchema } from './schemas.ts';
import { VisibilityResolver } from './visibility.ts';

export interface UploadDeps {
  table: TableContext;
  store: MediaStore;
  maxUploadBytes: number;
  now?: () => number;
}

/** Turns a refused upload decision into the contract's status (404 missing, 403 otherwise). */
async function assertMayUpload(table: TableContext, viewer: Viewer, postId: string): Promise<Post> {
  const { post, project } = await new VisibilityResolver(table, viewer).accessOf(postId);
  switch (decideUpload(viewer, post, project)) {
    case 'allowed':
      return post as Post;
    case 'post_not_found':
      throw new NotFoundError(`Post ${postId} does not exist in this workspace.`);
    case 'post_not_visible':
      throw new ForbiddenError('You cannot see this post.');
    case 'not_author':
      throw new ForbiddenError("Only the post's author can upload media to it.");
  }
}

/** The metadata the file tells, with the client's values only where it tells nothing. */
async function describeFile(bytes: Uint8Array, request: UploadRequest) {
  const inspected = await inspectMedia(bytes, request.mimeType);
  return {
    ...inspected,
    width: inspected.width ?? request.width ?? null,
    height: inspected.height ?? request.height ?? null,
    duration: inspected.duration ?? request.duration ?? null,
  };
}

export async function uploadMedia(deps: UploadDeps, viewer: Viewer, body: unknown) {
  const request = parseRequest(uploadRequestSchema, body);
  resolveDeclaredType(request.mimeType);
  const base64 = base64Payload(request.fileData);
  assertWithinLimit(base64, deps.maxUploadBytes);
  const post = await assertMayUpload(deps.table, viewer, request.postId);

  const bytes = decodeBase64(base64);
  const file = await describeFile(bytes, request);
  const id = newId('attachment');
  const createdAt = (deps.now ?? Date.now)();
  const attachment: Attachment = {
    id,
    workspaceId: viewer.workspaceId,
    postId: request.postId,
    uploaderId: viewer.userId,
    fileName: sanitizeFileName(request.fileName),
    originalFileName: request.fileName,
    fileType: file.fileType,
    mimeType: file.mimeType,
    fileSize: bytes.length,
    sha256: sha256Hex(bytes),
    storageKey: storageKeyFor(id, createdAt, file.extension),
    thumbnailKey: null,
    width: file.width,
    height: file.height,
    duration: file.duration,
    createdAt,
    legalHold: false,
    deletedAt: null,
    purgeAfter: null,
  };

  await deps.store.put(attachment.storageKey, bytes, attachment.mimeType);
  let refusal: Awaited<ReturnType<typeof commitAttachment>>;
  try {
    refusal = await commitAttachment(deps.table, attachment);
  } catch (error) {
    await removeUncommittedBlob(deps.store, attachment);
    throw error;
  }
  if (refusal) {
    await removeUncommittedBlob(deps.store, attachment);
    // Something changed while we uploaded: answer with what the post says now.
    await assertMayUpload(deps.table, viewer, request.postId);
    throw new ForbiddenError('You are no longer allowed to upload media to this post.');
  }

  const uploader = (await getUsers(deps.table, [viewer.userId])).get(viewer.userId) ?? null;
  return toAttachmentDetail(attachment, uploader, post);
}

/** Best effort: if this fails too, the orphan sweep finds the blob later. */
async function removeUncommittedBlob(store: MediaStore, attachment: Attachment): Promise<void> {
  try {
    await store.remove(attachment.storageKey);
  } catch (error) {
    logger.error('could not remove the blob of an uncommitted upload', {
      attachmentId: attachment.id,
      storageKey: attachment.storageKey,
      error: error as Error,
    });
  }
}
