/**
 * Processing of a stored file after an "object created" event: a WebP thumbnail for raster
 * images and PDFs (first page), and the metadata the upload could not read (width/height of an image, duration of an
 * audio file). Events are at least once and unordered, so every step is idempotent:
 *
 * 1. The record decides. No record yet: the upload stores its blob before it commits, so the
 *    record may be a moment behind the event; wait briefly, then let the platform retry
 *    (`RecordNotCommittedError`). No record and no blob: the upload never committed, nothing
 *    to do. No record long after the event: an orphan, the orphan sweep's job. A deleted
 *    attachment, or one with nothing left to learn: nothing to do (duplicates end here).
 * 2. The thumbnail is written under a key of its own for this run (`thumbnailKeyFor`), then
 *    recorded with a conditional write (live attachment, no thumbnail yet; see
 *    `processing-records.ts`). A run whose write is refused (a duplicate won, or the
 *    attachment was deleted meanwhile) removes the thumbnail it wrote, and only that one.
 *    A blob intent is recorded before the thumbnail is written and dropped once it is recorded
 *    (or removed again): a crash in between leaves the intent, and the orphan sweep removes
 *    the thumbnail once the intent has expired, unless the record refers to it.
 * 3. `media.processed` follows from the recorded findings (the table's change stream,
 *    `lib/events/from-stream-record.ts`): never for a write that was refused.
 * 4. A thumbnail recorded on an attachment under legal hold is held too (the record's hold
 *    covers every file of the attachment). The conditional write serializes with the hold's
 *    own record write, so one of them sees the other: if the hold was first, this run holds
 *    the thumbnail; if the thumbnail was first, placing the hold holds it. Processing only
 *    ever places holds; should a lift race in between, the thumbnail keeps a hold nobody
 *    asked for (it is only kept longer), never the other way round. A failed hold fails the
 *    run, and every later run of a held attachment places it again (holding is idempotent).
 *
 * Every thumbnail is recorded with its placeholder (BlurHash and average colour, see
 * `placeholder.ts`) in the same write.
 *
 * Files the decoders refuse (image bombs, corrupt data, PDFs beyond PDFium's time or memory
 * limits) and types without thumbnails (SVG, audio, Lottie) end without a thumbnail and without
 * an error: retrying cannot help.
 */

import { type Attachment, attachmentIdOfKey, thumbnailKeyFor } from '../attachments/model.ts';
import {
  type ProcessingFindings,
  recordProcessingFindings,
} from '../attachments/processing-records.ts';
import { getAttachment } from '../attachments/records.ts';
import { dropBlobIntent, recordBlobIntent } from '../attachments/upload/blob-intents.ts';
import type { TableContext } from '../db/client.ts';
import { randomString } from '../ids.ts';
import { logger } from '../logger.ts';
import { inspectMedia } from '../media/inspect.ts';
import type { MediaStore } from '../storage/media-store.ts';
import { placeholderOf } from './placeholder.ts';
import type { CreatedObject } from './storage-events.ts';
import { hasThumbnail, makeThumbnail, THUMBNAIL_MIME_TYPE } from './thumbnail.ts';

export interface ProcessingDeps {
  table: TableContext;
  store: MediaStore;
  now?: () => number;
  /** Waiting for a record that is not committed yet: tries and pause between them. */
  recordWait?: { attempts: number; delayMs: number };
  sleep?: (ms: number) => Promise<void>;
}

export type ProcessingOutcome =
  /** A thumbnail and/or metadata were recorded. */
  | 'processed'
  /** Already processed, a type without thumbnail, or nothing sharp could use. */
  | 'nothing_to_do'
  /** The key is not the stored file of an attachment. */
  | 'not_an_attachment'
  /** Deleted (or its file gone) before or while processing: nothing is written. */
  | 'deleted'
  /** No record and no stored object: an upload that did not commit. */
  | 'abandoned'
  /** No record long after the object was stored: left to the orphan sweep. */
  | 'orphan';

/** The upload's record is not committed yet; processing again later will find it. */
export class RecordNotCommittedError extends Error {
  constructor(readonly key: string) {
    super(`no attachment record for ${key} yet`);
    this.name = 'RecordNotCommittedError';
  }
}

/** An upload commits within seconds of storing its blob; after this it never will. */
export const RECORD_COMMIT_WINDOW_MS = 10 * 60_000;
const DEFAULT_RECORD_WAIT = { attempts: 4, delayMs: 500 };
/** The upload path gave audio parsing 5 s; in the background it may take longer. */
const AUDIO_PARSE_BUDGET_MS = 20_000;

const defaultSleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export async function processStoredObject(
  deps: ProcessingDeps,
  object: CreatedObject,
): Promise<ProcessingOutcome> {
  const id = attachmentIdOfKey(object.key);
  if (!id || !object.key.startsWith('uploads/')) return 'not_an_attachment';
  const found = await waitForRecord(deps, id, object);
  if (typeof found === 'string') return found;
  const attachment = found;
  if (attachment.storageKey !== object.key) return 'not_an_attachment';
  if (attachment.deletedAt !== null) return 'deleted';

  const wanted = missingFindings(attachment);
  if (!wanted.thumbnail && !wanted.size && !wanted.duration) {
    // A duplicate event: finish what a failed run may have left undone.
    await holdThumbnailIfHeld(deps.store, attachment);
    return 'nothing_to_do';
  }
  const stored = await deps.store.get(attachment.storageKey);
  if (!stored) return 'deleted';

  const findings: ProcessingFindings = {};
  if (wanted.thumbnail || wanted.size) {
    const result = await makeThumbnail(stored.body, attachment.mimeType);
    if (result.kind === 'refused') {
      logger.warn('no thumbnail: the file was refused', {
        attachmentId: attachment.id,
        reason: result.reason,
      });
    } else {
      const { thumbnail } = result;
      if (wanted.size) Object.assign(findings, thumbnail.source);
      if (wanted.thumbnail) {
        findings.placeholder = await placeholderOf(thumbnail.webp);
        findings.thumbnailKey = thumbnailKeyFor(attachment.storageKey, randomString(8));
        // Named before it is written: a run that dies before recording it leaves the intent,
        // and the orphan sweep removes the thumbnail once the intent has expired.
        await recordBlobIntent(
          deps.table,
          { attachmentId: attachment.id, blobKey: findings.thumbnailKey, kind: 'thumbnail' },
          (deps.now ?? Date.now)(),
        );
        await deps.store.put(findings.thumbnailKey, thumbnail.webp, THUMBNAIL_MIME_TYPE);
      }
    }
  }
  if (wanted.duration) {
    const duration = await audioDuration(stored.body, attachment.mimeType);
    if (duration !== null) findings.duration = duration;
  }
  if (Object.keys(findings).length === 0) return 'nothing_to_do';

  const updated = await recordProcessingFindings(
    deps.table,
    attachment.id,
    findings,
    (deps.now ?? Date.now)(),
  );
  if (!updated) {
    if (findings.thumbnailKey) {
      await removeUnrecordedThumbnail(deps.table, deps.store, attachment.id, findings.thumbnailKey);
    }
    const now = await getAttachment(deps.table, attachment.id);
    return !now || now.deletedAt !== null ? 'deleted' : 'nothing_to_do';
  }
  if (findings.thumbnailKey)
    await dropThumbnailIntent(deps.table, attachment.id, findings.thumbnailKey);
  await holdThumbnailIfHeld(deps.store, updated);
  return 'processed';
}

/**
 * Places the legal hold on the thumbnail of a held attachment (see step 4). Thrown failures
 * fail the run, so the platform retries it and the retry holds it.
 */
async function holdThumbnailIfHeld(store: MediaStore, attachment: Attachment): Promise<void> {
  if (!attachment.legalHold || attachment.thumbnailKey === null) return;
  if (!(await store.setLegalHold(attachment.thumbnailKey, true))) {
    logger.error('legal hold: no stored thumbnail to hold', {
      attachmentId: attachment.id,
      key: attachment.thumbnailKey,
    });
  }
}

/** The record, or why there is none to process. */
async function waitForRecord(
  deps: ProcessingDeps,
  id: string,
  object: CreatedObject,
): Promise<Attachment | 'abandoned' | 'orphan'> {
  const { attempts, delayMs } = deps.recordWait ?? DEFAULT_RECORD_WAIT;
  for (let attempt = 1; ; attempt++) {
    const attachment = await getAttachment(deps.table, id);
    if (attachment) return attachment;
    if (attempt >= attempts) break;
    await (deps.sleep ?? defaultSleep)(delayMs);
  }
  // A refused upload removes its blob; a crashed one leaves it to the orphan sweep.
  if (!(await deps.store.exists(object.key))) return 'abandoned';
  const age = (deps.now ?? Date.now)() - object.createdAt;
  if (age > RECORD_COMMIT_WINDOW_MS) {
    logger.warn('stored file without a record; left to the orphan sweep', { key: object.key });
    return 'orphan';
  }
  throw new RecordNotCommittedError(object.key);
}

function missingFindings(attachment: Attachment) {
  const raster = hasThumbnail(attachment.mimeType);
  return {
    thumbnail: raster && attachment.thumbnailKey === null,
    // A document's page is not the attachment's size: only images take it from the picture.
    size:
      raster &&
      attachment.fileType === 'image' &&
      (attachment.width === null || attachment.height === null),
    duration: attachment.fileType === 'audio' && attachment.duration === null,
  };
}

async function audioDuration(bytes: Uint8Array, mimeType: string): Promise<number | null> {
  try {
    const inspected = await inspectMedia(bytes, mimeType, {
      audioParseBudgetMs: AUDIO_PARSE_BUDGET_MS,
    });
    return inspected.duration;
  } catch {
    return null; // it passed the same check at upload; a failure now means "unknown"
  }
}

/** Best effort: an unreferenced thumbnail left behind (with its intent) is the orphan sweep's. */
async function removeUnrecordedThumbnail(
  table: TableContext,
  store: MediaStore,
  attachmentId: string,
  key: string,
): Promise<void> {
  try {
    await store.remove(key);
    await dropBlobIntent(table, attachmentId, key);
  } catch (error) {
    logger.warn('could not remove an unrecorded thumbnail', { key, error: error as Error });
  }
}

/**
 * The thumbnail is recorded: its intent has done its job. Best effort: an intent left behind
 * costs the orphan sweep one look at the record, which keeps the thumbnail.
 */
async function dropThumbnailIntent(
  table: TableContext,
  attachmentId: string,
  key: string,
): Promise<void> {
  try {
    await dropBlobIntent(table, attachmentId, key);
  } catch (error) {
    logger.warn('could not drop the intent of a recorded thumbnail', {
      key,
      error: error as Error,
    });
  }
}
