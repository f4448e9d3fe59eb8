/**
 * Least privilege, declared per function: what each Lambda may do on the table and on which
 * bucket prefixes, and how it is sized. `MediaService` turns an entry into IAM statements
 * (`infra/service-function.ts`) and refuses to synthesize a function that has no entry here, so
 * adding a route forces a decision about its permissions.
 *
 * Key layout of the media bucket (media-api.md): blobs under `uploads/YYYY/MM/DD/<id>.<ext>`,
 * thumbnails under `thumbnails/`, upload-session objects under `staging/`.
 *
 * Names match `functions/routes.ts` (HTTP functions) or the worker folders under `functions/`
 * (processing and sweeps). Entries for functions that do not exist yet are inert until the
 * function is created; they record the intended grants so reviews happen once, here.
 */

import type { ItemKind } from '../lib/db/keys.ts';

/** The bucket's top-level key prefixes; every object-level grant is scoped to one of them. */
export const KEY_PREFIXES = {
  uploads: 'uploads/',
  thumbnails: 'thumbnails/',
  staging: 'staging/',
} as const;

export type KeyPrefix = (typeof KEY_PREFIXES)[keyof typeof KEY_PREFIXES];

/** Prefixes holding the stored media (what deletes, holds and restores act on). */
export const MEDIA_PREFIXES: readonly KeyPrefix[] = [KEY_PREFIXES.uploads, KEY_PREFIXES.thumbnails];

/**
 * - `healthSentinel`: `dynamodb:GetItem` on the health sentinel's partition only (`keys.ts`,
 *   through `dynamodb:LeadingKeys`): the health check's data-plane read, no other item.
 * - `read`: `GetItem`, `BatchGetItem`, `Query` on the table and its indexes.
 *
 * Writes are declared apart, per kind of item (`TableWrites`).
 */
export type TableAccess = 'healthSentinel' | 'read';

/**
 * How a function writes one kind of item: `put`, `update`, `delete` (`PutItem`, `UpdateItem`,
 * `DeleteItem`, alone or inside a transaction: transactions are authorised per item action) or
 * `check` (`ConditionCheckItem`: a transaction's condition on an item it does not write).
 */
export type TableWrite = 'put' | 'update' | 'delete' | 'check';

/**
 * The items a function writes, by kind (`ITEM_PARTITIONS` in `lib/db/keys.ts`, the one place
 * the prefixes are spelled). Each write becomes its IAM action on the table, conditioned with
 * `ForAllValues:StringLike` on `dynamodb:LeadingKeys` to the partitions of exactly these kinds:
 * a function cannot write an item of a kind it does not declare (API keys, users and
 * memberships are written by the admin CLI only, never by a function). What an update may
 * change is decided by its condition expression in the code; IAM cannot see expressions.
 * `BatchWriteItem` is granted to no one (nothing uses it). A new kind is one line here.
 */
export type TableWrites = Readonly<Partial<Record<ItemKind, readonly TableWrite[]>>>;

export interface BucketAccess {
  /** `s3:ListBucket` on the bucket: `HeadBucket` (health) and `ListObjectsV2` (sweeps). */
  list?: boolean;
  /** `s3:ListBucketVersions` on the bucket: finding delete markers and noncurrent versions. */
  listVersions?: boolean;
  /** `s3:GetObject` (also what a presigned GET is signed for). */
  read?: readonly KeyPrefix[];
  /** `s3:GetObjectVersion`: reading a specific (e.g. noncurrent) version. */
  readVersions?: readonly KeyPrefix[];
  /** `s3:PutObject` (also what a presigned PUT is signed for). */
  write?: readonly KeyPrefix[];
  /** `s3:DeleteObject`: on the versioned bucket this adds a delete marker; lifecycle purges later. */
  delete?: readonly KeyPrefix[];
  /** `s3:DeleteObjectVersion`: removing a delete marker (restore) or a version for good. */
  deleteVersions?: readonly KeyPrefix[];
  /** `s3:PutObjectLegalHold` + `s3:GetObjectLegalHold` on the media prefixes. */
  legalHold?: boolean;
  /** `s3:GetObjectLegalHold` only, on the media prefixes: seeing a hold, never changing it. */
  readLegalHold?: boolean;
  /**
   * `s3:PutObjectLegalHold` on these prefixes with the condition `s3:object-lock-legal-hold` =
   * `ON`: placing a hold, never lifting one. Holds are placed per version, so this goes with
   * `listVersions`.
   */
  placeHolds?: readonly KeyPrefix[];
}

export interface FunctionAccess {
  /** Omitted: no access to the table at all. */
  table?: TableAccess;
  /** What it writes, key-scoped. Omitted: nothing. */
  writes?: TableWrites;
  /** `dynamodb:Scan` on the table (not its indexes): only a sweep that must see every record. */
  scanTable?: boolean;
  bucket?: BucketAccess;
  /** `events:PutEvents` on the service's domain event bus. */
  publishEvents?: boolean;
  memoryMb: number;
  /** HTTP functions: at most 29 (API Gateway's integration timeout is 30 s). */
  timeoutSeconds: number;
}

const { uploads, thumbnails, staging } = KEY_PREFIXES;

/**
 * Memory of the processing function (the `processingMemoryMb` prop's default), from
 * `npm run bench -- --only=decode` (peak RSS of a fresh Node 22 process making thumbnails;
 * full run 2026-11-30, medians of 5): 12 MP HEIC 350 MB (max 369), 50-page PDF 159 MB, a
 * hostile PDF at PDFium's 256 MB heap cap 662 MB (the live heap and the last dropped one),
 * 12 MP JPEG 112 MB. A 48 MP HEIC (generated once, not in the bench) peaked at 816 MB: HEIC
 * takes ~15 bytes a pixel, so the 64 MP HEIC limit (`lib/processing/thumbnail.ts`) tops out near
 * 1.06 GB. 1536 MB keeps 30 % headroom over that and about twice the hostile-PDF peak, and buys
 * ~0.9 vCPU, which decoding uses fully (12 MP HEIC: 2.5 s warm on the bench machine). The
 * bench's budget fails when a measured peak passes 80 % of this.
 */
export const PROCESSING_MEMORY_MB = 1536;

/** Sizing shared by the light JSON endpoints (auth lookups + a few table reads). */
const LIGHT = { memoryMb: 512, timeoutSeconds: 10 } as const;

/**
 * Every authenticated route counts its API key's requests (`lib/http/rate-limit.ts`: one
 * `UpdateItem … ADD` on the key's window counter).
 */
const COUNTS_REQUESTS = { rateWindow: ['update'] } as const satisfies TableWrites;
/**
 * Routes that honour `Idempotency-Key` (`lib/http/idempotency.ts`, Powertools' DynamoDB
 * persistence): a conditional put claims the key, an update stores the response, a delete
 * releases the key of a failed request.
 */
const IDEMPOTENT = { idempotency: ['put', 'update', 'delete'] } as const satisfies TableWrites;
/**
 * The upload commit (`commitAttachment`): one transaction that puts the attachment on the
 * condition that its post (unchanged, by this author) and the uploader's membership (a
 * workspace partition) still stand.
 */
const COMMITS_UPLOADS = {
  attachment: ['put'],
  post: ['check'],
  workspace: ['check'],
} as const satisfies TableWrites;
/**
 * Writers of media objects name each object in a blob intent before writing it and drop the
 * intent once the record refers to it (in the commit's transaction, or alone after a refused
 * or failed write; `lib/attachments/upload/blob-intents.ts`).
 */
const RECORDS_BLOB_INTENTS = { blobIntent: ['put', 'delete'] } as const satisfies TableWrites;

export const functionAccess: Readonly<Record<string, FunctionAccess>> = {
  // ── HTTP routes ────────────────────────────────────────────────────────────────────────────
  health: { table: 'healthSentinel', bucket: { list: true }, memoryMb: 256, timeoutSeconds: 10 },
  'list-media': { table: 'read', writes: COUNTS_REQUESTS, ...LIGHT },
  'get-media': { table: 'read', writes: COUNTS_REQUESTS, ...LIGHT },
  /**
   * Largest body API Gateway carries is 10 MB (about 7.5 MB decoded); parse + inspect + put.
   * No request-path function publishes events: they follow from the table's change stream
   * (`stream-events`).
   */
  'upload-media': {
    table: 'read',
    writes: { ...COMMITS_UPLOADS, ...RECORDS_BLOB_INTENTS, ...IDEMPOTENT, ...COUNTS_REQUESTS },
    // delete: removes the blob again when the record commit fails (no file without a record).
    bucket: { write: [uploads], delete: [uploads] },
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  /** Record first, then a delete marker on the file and its thumbnail (`softDelete`). */
  'delete-media': {
    table: 'read',
    writes: { attachment: ['update'], ...COUNTS_REQUESTS },
    bucket: { delete: [uploads, thumbnails] },
    ...LIGHT,
  },
  /** Streams the bytes or presigns a GET. */
  'serve-file': {
    table: 'read',
    writes: COUNTS_REQUESTS,
    bucket: { read: [uploads, thumbnails] },
    ...LIGHT,
  },
  /** Authenticates the key and answers from the configuration: no item beyond the key's. */
  'media-limits': { table: 'read', writes: COUNTS_REQUESTS, ...LIGHT },
  /** `/openapi.json` and `/docs`: built from code and shipped files, no store at all. */
  'api-reference': { memoryMb: 256, timeoutSeconds: 10 },
  /** The `$default` route: answers 404/405 from the route table alone, no store at all. */
  'unmatched-route': { memoryMb: 256, timeoutSeconds: 10 },
  /**
   * The only function allowed to change S3 Object Lock legal holds: lists the key's versions
   * (a deleted file's bytes are a noncurrent version) and holds each one.
   */
  'set-legal-hold': {
    table: 'read',
    writes: { attachment: ['update'], ...COUNTS_REQUESTS },
    bucket: { legalHold: true, listVersions: true },
    ...LIGHT,
  },
  /**
   * Restore removes the delete marker(s) so the retained version becomes current again; if the
   * record then refuses the restore, it adds a delete marker back.
   */
  'restore-media': {
    table: 'read',
    writes: { attachment: ['update'], ...IDEMPOTENT, ...COUNTS_REQUESTS },
    bucket: {
      listVersions: true,
      deleteVersions: [uploads, thumbnails],
      delete: [uploads, thumbnails],
    },
    ...LIGHT,
  },
  /** Presigns a PUT to `staging/`. */
  'create-upload-session': {
    table: 'read',
    writes: { uploadSession: ['put'], ...IDEMPOTENT, ...COUNTS_REQUESTS },
    bucket: { write: [staging] },
    ...LIGHT,
  },
  /**
   * Reads and verifies the staged object, writes the verified bytes to `uploads/` with a PUT
   * (deleting them again if the commit fails), removes the staged object.
   */
  'complete-upload-session': {
    table: 'read',
    // The commit settles the session in the same transaction; a refused upload fails it.
    writes: {
      ...COMMITS_UPLOADS,
      uploadSession: ['update'],
      ...RECORDS_BLOB_INTENTS,
      ...IDEMPOTENT,
      ...COUNTS_REQUESTS,
    },
    bucket: { read: [staging], write: [uploads], delete: [staging, uploads] },
    memoryMb: 1024,
    timeoutSeconds: 29,
  },

  // ── Workers (no route) ─────────────────────────────────────────────────────────────────────
  /**
   * S3 object-created events (EventBridge): reads the record and the stored file, writes a
   * thumbnail, records it with one conditional UpdateItem (a run whose write is refused deletes
   * its own thumbnail), holds the thumbnail of a held attachment.
   */
  'process-media': {
    table: 'read',
    // A thumbnail's intent is recorded before it is written and dropped once it is recorded.
    writes: { attachment: ['update'], ...RECORDS_BLOB_INTENTS },
    bucket: {
      read: [uploads],
      write: [thumbnails],
      delete: [thumbnails],
      listVersions: true,
      placeHolds: [thumbnails],
    },
    memoryMb: PROCESSING_MEMORY_MB,
    timeoutSeconds: 120,
  },
  /**
   * Scheduled: purges records whose grace period has passed (queries on the purge-queue shards,
   * conditional UpdateItem to claim, DeleteItem), until the queue is done or its time runs
   * low (each removal's `media.purged` comes from the table's change stream). In S3 it only adds delete markers (a file a failed delete
   * left live); the bytes go by the lifecycle rule (which never expires a held version).
   */
  'purge-sweep': {
    table: 'read',
    // A conditional update claims a due record, a conditional delete purges it.
    writes: { attachment: ['update', 'delete'] },
    bucket: { delete: [uploads, thumbnails] },
    memoryMb: 512,
    timeoutSeconds: 900,
  },
  /**
   * Scheduled: reads the expired blob intents (queries on the intent shards of the due-work
   * index, GetItem on the attachment), claims and deletes them (UpdateItem/DeleteItem on
   * `INTENT#…` only), and gives the objects no record refers to a delete marker (purged after
   * grace by lifecycle) unless held (GetObjectLegalHold over the key's versions). No listing,
   * no scan, no record written.
   */
  'orphan-sweep': {
    table: 'read',
    // Claims expired intents (a conditional update), then deletes them.
    writes: { blobIntent: ['update', 'delete'] },
    bucket: {
      listVersions: true,
      delete: [uploads, thumbnails],
      readLegalHold: true,
    },
    memoryMb: 512,
    timeoutSeconds: 900,
  },
  /**
   * The table's change stream (event source mapping: DescribeStream, GetRecords,
   * GetShardIterator, ListStreams on the stream, granted with it) → `events:PutEvents`. Reads
   * and writes no item, touches no object.
   */
  'stream-events': {
    publishEvents: true,
    memoryMb: 512,
    timeoutSeconds: 60,
  },
};

/** The entry for `name`, or a synthesis error that says where to declare it. */
export function accessFor(
  name: string,
  access: Readonly<Record<string, FunctionAccess>> = functionAccess,
): FunctionAccess {
  const entry = Object.hasOwn(access, name) ? access[name] : undefined;
  if (!entry) {
    throw new Error(
      `Function "${name}" has no access entry: declare its table/bucket permissions, memory and ` +
        `timeout in infra/function-access.ts (least privilege is declared per function).`,
    );
  }
  return entry;
}
