/**
 * Every table key is spelled here and nowhere else. Entity modules and handlers call these
 * builders; nothing else concatenates `PK`/`SK` strings.
 */
import { createHash, randomInt } from 'node:crypto';
import { newId } from '../ids.ts';
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
  /**
   * A blob intent: a stored object (an upload's file, a processing run's thumbnail) that is
   * about to be written for an attachment and not yet known to be referenced by its record.
   * Written before the object, removed when the record commits (`lib/attachments/upload/blob-intents.ts`);
   * the orphan sweep removes the object of an intent that expired without committing.
   */
  blobIntent: (attachmentId: string, blobKey: string): ItemKey => ({
    PK: `${INTENT_PREFIX}${attachmentId}`,
    SK: `BLOB#${blobKey}`,
  }),
  /** An upload session (`POST /api/v1/media/uploads`), until its TTL removes it. */
  uploadSession: (uploadId: string): ItemKey => ({ PK: `UPLOAD#${uploadId}`, SK: 'UPLOAD' }),
  /**
   * An `Idempotency-Key` record (Powertools idempotency; `hashedKey` is its hash of the API key
   * id and the client's key), until its TTL removes it. One partition per key: no hot spot.
   */
  idempotency: (hashedKey: string): ItemKey => ({
    PK: `${IDEMPOTENCY_PREFIX}${hashedKey}`,
    SK: 'IDEMPOTENCY',
  }),
  /** Requests one API key made in the rate-limit window starting at `windowStart` (epoch s). */
  rateWindow: (keyId: string, windowStart: number): ItemKey => ({
    PK: `${RATE_PREFIX}${keyId}`,
    SK: `WINDOW#${windowStart}`,
  }),
} as const;

const INTENT_PREFIX = 'INTENT#';
const ATTACHMENT_PREFIX = keys.attachment('').PK;
const BLOB_PREFIX = keys.blobIntent('', '').SK;

/** The id of the attachment an attachment item's table key belongs to (the inverse of `keys.attachment`). */
export function attachmentIdOfKey(key: ItemKey): string {
  if (!key.PK.startsWith(ATTACHMENT_PREFIX)) throw new Error(`not an attachment key: ${key.PK}`);
  return key.PK.slice(ATTACHMENT_PREFIX.length);
}

/** The attachment and blob of a blob intent's table key (the inverse of `keys.blobIntent`). */
export function blobIntentOfKey(key: ItemKey): { attachmentId: string; blobKey: string } {
  if (!key.PK.startsWith(INTENT_PREFIX) || !key.SK.startsWith(BLOB_PREFIX)) {
    throw new Error(`not a blob intent key: ${key.PK} ${key.SK}`);
  }
  return {
    attachmentId: key.PK.slice(INTENT_PREFIX.length),
    blobKey: key.SK.slice(BLOB_PREFIX.length),
  };
}
const IDEMPOTENCY_PREFIX = 'IDEMPOTENCY#';
const RATE_PREFIX = 'RATE#';

/**
 * The partition-key prefix of every kind of table item, spelled by the builders above (with an
 * empty id): what IAM's `dynamodb:LeadingKeys` conditions match, so each function may write
 * only the kinds it declares (`infra/function-access.ts`). The condition sees the partition
 * key only: items that share a partition share a kind (a workspace's memberships and project
 * entries are `workspace`, a project's members `project`). The health sentinel is an exact
 * key (`healthSentinel`), not a prefix.
 */
export const ITEM_PARTITIONS = {
  workspace: keys.workspace('').PK,
  user: keys.user('').PK,
  apiKey: keys.apiKey('').PK,
  project: keys.project('').PK,
  post: keys.post('').PK,
  attachment: keys.attachment('').PK,
  blobIntent: keys.blobIntent('', '').PK,
  uploadSession: keys.uploadSession('').PK,
  idempotency: keys.idempotency('').PK,
  rateWindow: keys.rateWindow('', 0).PK,
} as const;

export type ItemKind = keyof typeof ITEM_PARTITIONS;

/** The IAM `StringLike` pattern of every partition key of `kind`. */
export const partitionPattern = (kind: ItemKind): string => `${ITEM_PARTITIONS[kind]}*`;

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
 * Default shard count of the hot partitions, from the capacity model (docs/capacity.md): one
 * workspace can take 10,000 uploads/s before any shard reaches ~65 % of a partition's 1,000
 * writes/s, and a list page still merges few enough shards to stay within its read budget.
 */
export const DEFAULT_INDEX_SHARDS = 16;

/**
 * Hot partitions (a workspace's and a project's list entries, the purge queue) are spread over
 * `shardCount` shards: an attachment's shard is a hash of its id, so a burst of uploads into one
 * workspace spreads evenly whatever the ids' order, and readers merge the shards back
 * (`lib/attachments/read/list-source.ts`). Shard 0 is spelled exactly as the unsharded partition was,
 * so records written before sharding (or with a shard count of 1) are read as shard 0 and need
 * no migration. The shard count may grow between deployments (records keep the shard they were
 * written with and readers read every shard up to the current count) but must never shrink.
 */
export function shardOf(attachmentId: string, shardCount: number): number {
  if (shardCount <= 1) return 0;
  return createHash('sha256').update(attachmentId).digest().readUInt32BE(0) % shardCount;
}

let lastShard: number | undefined;

/**
 * A new random attachment id whose shard is the next in this process's round robin (ids are
 * drawn until one falls in it: about `shardCount` draws, microseconds). A hash alone spreads a
 * burst like dice, ±√n per shard; each writer going round the shards in turn spreads its
 * uploads exactly, and many writers (Lambda instances) add up to at most one upload per shard
 * and writer above the even share. The shard still follows from the id alone.
 */
export function newAttachmentId(shardCount: number): string {
  if (shardCount <= 1) return newId('attachment');
  lastShard = ((lastShard ?? randomInt(shardCount)) + 1) % shardCount;
  for (;;) {
    const id = newId('attachment');
    if (shardOf(id, shardCount) === lastShard) return id;
  }
}

const shardSuffix = (shard: number): string => (shard === 0 ? '' : `#S${shard}`);

/** Every shard number below `shardCount`. */
export const allShards = (shardCount: number): number[] =>
  Array.from({ length: Math.max(1, shardCount) }, (_, shard) => shard);

/**
 * The due-work queue (`ByPurgeAfter`): items that some sweep must act on once a deadline has
 * passed, sorted by that deadline. Each kind of work has its own partitions (a prefix), sharded
 * like the lists, so a sweep reads only its own kind and only what is due:
 * - `PURGE`: deleted, unheld attachments, by `purgeAfter` (the purge sweep);
 * - `INTENT`: blob intents (`keys.blobIntent`), by the intent's expiry (the orphan sweep).
 * `PURGE` shard 0 is spelled as the queue was before it had kinds or shards.
 */
export type DueWorkKind = 'PURGE' | 'INTENT';

/** Due-work partition of one kind and shard. */
export function dueQueuePartition(kind: DueWorkKind, shard: number): string {
  return `${kind}${shardSuffix(shard)}`;
}

/**
 * Intents are written at the upload rate (one per upload and one per thumbnail, each written
 * and deleted again), so their queue takes this many times the shards of the lists: at 10,000
 * uploads/s into one workspace and N = 16, ~80 intents/s per key (docs/capacity.md). The
 * sweep reads all of them (one small Query each per run): cheap, it runs hourly.
 */
export const INTENT_SHARD_FACTOR = 8;

/** Shards of one kind of due work, for a deployment's `MEDIA_INDEX_SHARDS`. */
export function dueQueueShards(kind: DueWorkKind, indexShards: number): number {
  const shards = Math.max(1, indexShards);
  return kind === 'INTENT' ? shards * INTENT_SHARD_FACTOR : shards;
}

/** Purge-queue (`ByPurgeAfter`) partition of one shard. */
export function purgeQueuePartition(shard: number): string {
  return dueQueuePartition('PURGE', shard);
}

/** Keys of a deleted attachment in the purge queue (`ByPurgeAfter`), sharded like the lists. */
export function purgeQueueKeys(purgeAfter: number, attachmentId: string, shardCount: number) {
  return {
    purgePK: purgeQueuePartition(shardOf(attachmentId, shardCount)),
    purgeSK: listSortKey(purgeAfter, attachmentId),
  };
}

/**
 * Due-work keys of a blob intent: its shard comes from its attachment's id (over the intent
 * shards), its sort position is its expiry.
 * (The attribute names are the queue index's: `purgePK`/`purgeSK`.)
 */
export function intentQueueKeys(expiresAt: number, attachmentId: string, indexShards: number) {
  const shards = dueQueueShards('INTENT', indexShards);
  return {
    purgePK: dueQueuePartition('INTENT', shardOf(attachmentId, shards)),
    purgeSK: listSortKey(expiresAt, attachmentId),
  };
}

/** Every due-queue sort key below this bound has a deadline `<= now`. */
export function purgeQueueBound(now: number): string {
  // `<now+1 padded>` sorts after `<now padded>#…` and before `<now+1 padded>#…`.
  return String(now + 1).padStart(15, '0');
}

/**
 * Partition of a post's attachments in `ByPost`, or in `ByPostAndType` with a file type. Never
 * sharded: only the post's author uploads to a post, at the pace of one person (and of the
 * per-key rate limit), far below a partition's 1,000 writes/s; an unsharded post list stays
 * one Query per page.
 */
export function postListPartition(postId: string, fileType?: FileType): string {
  return fileType ? `POST#${postId}#TYPE#${fileType}` : `POST#${postId}`;
}

/** One shard of a list partition keyed by `<prefix>#<id>`, optionally by file type too. */
function shardedListPartition(
  prefix: string,
  id: string,
  shard: number,
  fileType?: FileType,
): string {
  return `${prefix}#${id}${fileType ? `#TYPE#${fileType}` : ''}${shardSuffix(shard)}`;
}

/** Partition of one shard of a workspace's attachments in `ByWorkspace` / `ByWorkspaceAndType`. */
export const workspaceListPartition = (workspaceId: string, shard: number, fileType?: FileType) =>
  shardedListPartition('WS', workspaceId, shard, fileType);

/** Partition of one shard of a project's attachments in `ByProject` / `ByProjectAndType`. */
export const projectListPartition = (projectId: string, shard: number, fileType?: FileType) =>
  shardedListPartition('PROJECT', projectId, shard, fileType);

/** Partition keys of the six list indexes for one attachment. */
export function listIndexKeys(
  attachment: {
    id: string;
    workspaceId: string;
    projectId: string;
    postId: string;
    fileType: FileType;
  },
  shardCount: number,
) {
  const shard = shardOf(attachment.id, shardCount);
  return {
    byPostPK: postListPartition(attachment.postId),
    byPostTypePK: postListPartition(attachment.postId, attachment.fileType),
    byProjectPK: projectListPartition(attachment.projectId, shard),
    byProjectTypePK: projectListPartition(attachment.projectId, shard, attachment.fileType),
    byWorkspacePK: workspaceListPartition(attachment.workspaceId, shard),
    byWorkspaceTypePK: workspaceListPartition(attachment.workspaceId, shard, attachment.fileType),
  };
}
