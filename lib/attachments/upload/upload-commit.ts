/**
 * What both upload paths share once they hold the bytes (`POST /api/v1/media` decodes them from
 * the body, an upload session reads them from staging): sniff and describe the file, build the
 * attachment, then the write order that never loses data and never leaves an orphan:
 * 1. a blob intent (`blob-intents.ts`) names the object about to be written;
 * 2. the blob is stored;
 * 3. the record is committed in a transaction that re-checks the live upload permission and
 *    settles the intent.
 * If the commit is refused the blob is removed again (and its intent dropped). If its outcome
 * is unknown (an error: the commit may have happened) or the process dies, nothing is removed
 * here: the intent stays, and once it has expired the orphan sweep removes the blob unless the
 * record refers to it. Location metadata is removed from image originals before anything else
 * sees the bytes (unless the deployment keeps it), so the stored file, its `fileSize` and its
 * `sha256` all describe the same bytes.
 */
import { decideUpload, type Viewer } from '../../auth/permissions.ts';
import { indexShardsOf, type TableContext } from '../../db/client.ts';
import { newAttachmentId } from '../../db/keys.ts';
import { type GuardedWrite, wasCancelled } from '../../db/transactions.ts';
import type { Post } from '../../directory/model.ts';
import { getUsers } from '../../directory/users.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { sanitizeFileName } from '../../media/file-name.ts';
import { inspectMedia } from '../../media/inspect.ts';
import { removeLocation } from '../../media/location/remove-location.ts';
import { type MediaStore, sha256Hex } from '../../storage/media-store.ts';
import { type Attachment, storageKeyFor } from '../model.ts';
import { toAttachmentDetail } from '../present.ts';
import { VisibilityResolver } from '../read/visibility.ts';
import { commitAttachment } from '../records.ts';
import type { AttachmentDetail } from '../responses.ts';
import { dropBlobIntent, recordBlobIntent, settleIntentWrite } from './blob-intents.ts';

export interface CommitUploadDeps {
  table: TableContext;
  store: MediaStore;
  now?: () => number;
  /** `MEDIA_KEEP_LOCATION`: store originals untouched, GPS included. */
  keepLocation?: boolean;
}

/** What the client said about the file, whichever way it sent the bytes. */
export interface DeclaredUpload {
  postId: string;
  fileName: string;
  mimeType: string;
  width?: number | null;
  height?: number | null;
  duration?: number | null;
}

/** Turns a refused upload decision into the contract's status (404 missing, 403 otherwise). */
export async function assertMayUpload(
  table: TableContext,
  viewer: Viewer,
  postId: string,
): Promise<Post> {
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
async function describeFile(bytes: Uint8Array, declared: DeclaredUpload) {
  const inspected = await inspectMedia(bytes, declared.mimeType);
  return {
    ...inspected,
    width: inspected.width ?? declared.width ?? null,
    height: inspected.height ?? declared.height ?? null,
    duration: inspected.duration ?? declared.duration ?? null,
  };
}

export interface CommitUploadOptions {
  /** More writes for the commit transaction, built from the new attachment. */
  alsoWrite?: (attachment: Attachment) => GuardedWrite[];
}

/**
 * Stores `bytes` as a new attachment of `post` (already checked with `assertMayUpload`) and
 * answers with the upload response (media-api.md §2). 415 when the bytes are not what
 * `mimeType` says; 403/404 when the permission is gone by the time the record commits.
 */
export async function storeAndCommitUpload(
  deps: CommitUploadDeps,
  viewer: Viewer,
  post: Post,
  declared: DeclaredUpload,
  bytes: Uint8Array,
  options: CommitUploadOptions = {},
): Promise<AttachmentDetail> {
  const file = await describeFile(bytes, declared);
  // Edits `bytes` in place (no second copy of a 50 MB file); nothing has used them yet.
  const metadataRemoved = deps.keepLocation ? [] : removeLocation(bytes, file.mimeType);
  const id = newAttachmentId(indexShardsOf(deps.table));
  const createdAt = (deps.now ?? Date.now)();
  const attachment: Attachment = {
    id,
    workspaceId: viewer.workspaceId,
    postId: post.id,
    projectId: post.projectId,
    uploaderId: viewer.userId,
    fileName: sanitizeFileName(declared.fileName),
    originalFileName: declared.fileName,
    fileType: file.fileType,
    mimeType: file.mimeType,
    fileSize: bytes.length,
    sha256: sha256Hex(bytes),
    storageKey: storageKeyFor(id, createdAt, file.extension),
    thumbnailKey: null,
    placeholder: null,
    metadataRemoved,
    width: file.width,
    height: file.height,
    duration: file.duration,
    createdAt,
    legalHold: false,
    deletedAt: null,
    purgeAfter: null,
  };

  await recordBlobIntent(
    deps.table,
    { attachmentId: id, blobKey: attachment.storageKey, kind: 'upload' },
    createdAt,
  );
  await deps.store.put(attachment.storageKey, bytes, attachment.mimeType);
  let refusal: Awaited<ReturnType<typeof commitAttachment>>;
  try {
    refusal = await commitAttachment(deps.table, attachment, [
      settleIntentWrite(deps.table, id, attachment.storageKey),
      ...(options.alsoWrite?.(attachment) ?? []),
    ]);
  } catch (error) {
    if (wasCancelled(error)) {
      // Refused (a concurrent complete won, the sweep claimed the intent): nothing committed.
      await removeUncommittedBlob(deps.table, deps.store, attachment);
      throw error;
    }
    // Maybe committed (a timeout after the write), maybe not: the orphan sweep decides from
    // the record once the intent has expired. Removing the blob here could lose a file.
    logger.error('upload commit failed; the orphan sweep settles its blob', {
      attachmentId: id,
      storageKey: attachment.storageKey,
      error: error as Error,
    });
    throw error;
  }
  if (refusal) {
    await removeUncommittedBlob(deps.table, deps.store, attachment);
    // Something changed while we uploaded: answer with what the post says now.
    await assertMayUpload(deps.table, viewer, post.id);
    throw new ForbiddenError('You are no longer allowed to upload media to this post.');
  }

  const uploader = (await getUsers(deps.table, [viewer.userId])).get(viewer.userId) ?? null;
  return toAttachmentDetail(attachment, uploader, post);
}

/**
 * The commit was refused, so the blob is nobody's: removed, then its intent dropped. Best
 * effort: if either step fails the intent stays, and the orphan sweep removes the blob later.
 */
async function removeUncommittedBlob(
  table: TableContext,
  store: MediaStore,
  attachment: Attachment,
): Promise<void> {
  try {
    await store.remove(attachment.storageKey);
    await dropBlobIntent(table, attachment.id, attachment.storageKey);
  } catch (error) {
    logger.error('could not remove the blob of an uncommitted upload', {
      attachmentId: attachment.id,
      storageKey: attachment.storageKey,
      error: error as Error,
    });
  }
}
