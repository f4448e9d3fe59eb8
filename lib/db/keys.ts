/**
 * Every table key is spelled here and nowhere else. Entity modules and handlers call these
 * builders; nothing else concatenates `PK`/`SK` strings.
 */
import type { FileType } from '../media/types.ts';

export interface ItemKey {
  PK: string;
  SK: string;
}

const WORKSPACE_PROJECT_PREFIX = 'PROJECT#';

export const keys = {
  /**
   * What `GET /health` reads (a data-plane GetItem; the item need not exist). Its own partition,
   * so the health function's IAM grant (`dynamodb:LeadingKeys`) reaches nothing else.
   */
  healthSentinel: (): ItemKey => ({ PK: 'HEALTH', SK: 'HEALTH' }),
  workspace: (workspaceId: string): ItemKey => ({ PK: `WS#${workspaceId}`, SK: 'WORKSPACE' }),
  membership: (workspaceId: string, userId: string): ItemKey => ({
    PK: `WS#${workspaceId}`,
    SK: `MEMBER#${userId}`,
  }),
  user: (userId: string): ItemKey => ({ PK: `USER#${userId}`, SK: 'USER' }),
  apiKey: (keyId: string): ItemKey => ({ PK: `KEY#${keyId}`, SK: 'KEY' }),
  project: (projectId: string): ItemKey => ({ PK: `PROJECT#${projectId}`, SK: 'PROJECT' }),
  /**
   * A workspace's entry for one of its projects: only the id, so the workspace's projects can
   * be enumerated with one Query (`workspaceProjectsRange`). Visibility is never copied here.
   */
  workspaceProject: (workspaceId: string, projectId: string): ItemKey => ({
    PK: `WS#${workspaceId}`,
    SK: `${WORKSPACE_PROJECT_PREFIX}${projectId}`,
  }),
  projectMember: (projectId: string, userId: string): ItemKey => ({
    PK: `PROJECT#${projectId}`,
    SK: `MEMBER#${userId}`,
  }),
  post: (postId: string): ItemKey => ({ PK: `POST#${postId}`, SK: 'POST' }),
  attachment: (attachmentId: string): ItemKey => ({
    PK: `ATTACHMENT#${attachmentId}`,
    SK: 'ATTACHMENT',
  }),
  /** An upload session (`POST /api/v1/media/uploads`), until its TTL removes it. */
  uploadSession: (uploadId: string): ItemKey => ({ PK: `UPLOAD#${uploadId}`, SK: 'UPLOAD' }),
} as const;

/** Where a workspace's project entries (`keys.workspaceProject`) live: a partition and SK prefix. */
export function workspaceProjectsRange(workspaceId: string): { PK: string; skPrefix: string } {
  return { PK: keys.workspace(workspaceId).PK, skPrefix: WORKSPACE_PROJECT_PREFIX };
}

/** Sort position in every list index: newest first means descending on this string. */
export function listSortKey(createdAt: number, attachmentId: string): string {
  // 15 digits keeps lexical order equal to numeric order for any plausible epoch-ms value.
  return `${String(createdAt).padStart(15, '0')}#${attachmentId}`;
}

/**
 * Keys of a deleted attachment in the purge queue (`ByPurgeAfter`). One partition: the queue
 * only takes writes on delete, hold and restore, far below a partition's limits.
 */
export function purgeQueueKeys(purgeAfter: number, attachmentId: string) {
  return { purgePK: PURGE_QUEUE_PARTITION, purgeSK: listSortKey(purgeAfter, attachmentId) };
}

export const PURGE_QUEUE_PARTITION = 'PURGE';

/** Every `purgeSK` below this bound belongs to an attachment with `purgeAfter <= now`. */
export function purgeQueueBound(now: number): string {
  // `<now+1 padded>` sorts after `<now padded>#…` and before `<now+1 padded>#…`.
  return String(now + 1).padStart(15, '0');
}

/** Partition of a post's attachments in `ByPost`, or in `ByPostAndType` with a file type. */
export function postListPartition(postId: string, fileType?: FileType): string {
  return fileType ? `POST#${postId}#TYPE#${fileType}` : `POST#${postId}`;
}

/** Partition of a workspace's attachments in `ByWorkspace` / `ByWorkspaceAndType`. */
export function workspaceListPartition(workspaceId: string, fileType?: FileType): string {
  return fileType ? `WS#${workspaceId}#TYPE#${fileType}` : `WS#${workspaceId}`;
}

/** Partition of a project's attachments in `ByProject` / `ByProjectAndType`. */
export function projectListPartition(projectId: string, fileType?: FileType): string {
  return fileType ? `PROJECT#${projectId}#TYPE#${fileType}` : `PROJECT#${projectId}`;
}

/** Partition keys of the six list indexes for one attachment. */
export function listIndexKeys(attachment: {
  workspaceId: string;
  projectId: string;
  postId: string;
  fileType: FileType;
}) {
  return {
    byPostPK: postListPartition(attachment.postId),
    byPostTypePK: postListPartition(attachment.postId, attachment.fileType),
    byProjectPK: projectListPartition(attachment.projectId),
    byProjectTypePK: projectListPartition(attachment.projectId, attachment.fileType),
    byWorkspacePK: workspaceListPartition(attachment.workspaceId),
    byWorkspaceTypePK: workspaceListPartition(attachment.workspaceId, attachment.fileType),
  };
}
