/**
 * The storage side of the attachment lifecycle: each helper acts on every stored object of an
 * attachment (its file and its thumbnail), and the dependencies every lifecycle step receives.
 *
 * The record is the source of truth for the API; storage follows it in an order chosen so that
 * a failure at any point never loses a file:
 * - delete: record first, then soft-delete the files (a crash in between leaves a deleted
 *   record with live files: not served, repaired by the orphan sweep);
 * - restore: files first, then the record (a crash in between leaves live files behind a
 *   deleted record: again repaired by the orphan sweep, never a live record without its file);
 * - legal hold on: storage first, then the record; off: record first, then storage (the
 *   storage hold is always at least what the record says). See `legal-hold.ts` for races.
 * No step publishes events: each committed record change is one record in the table's change
 * stream, and the events are derived from there (`lib/events/from-stream-record.ts`).
 */
import type { ServiceConfig } from '../config.ts';
import { createTableContext, type TableContext } from '../db/client.ts';
import { logger } from '../logger.ts';
import { mediaStoreFrom } from '../storage/configured-store.ts';
import type { MediaStore, RestoreOutcome } from '../storage/media-store.ts';
import { type Attachment, blobKeysOf } from './model.ts';

export interface LifecycleDeps {
  table: TableContext;
  store: MediaStore;
  /** Epoch ms; injectable so tests can travel in time. */
  now?: () => number;
}

/** The clients of a Lambda, the local sweeper or the CLI, from one configuration. */
export function lifecycleDepsFrom(config: ServiceConfig): LifecycleDeps {
  return {
    table: createTableContext(config),
    store: mediaStoreFrom(config),
  };
}

export const nowOf = (deps: { now?: () => number }): number => (deps.now ?? Date.now)();

/**
 * Takes the files out of service, keeping them restorable until they are purged. The file and
 * its thumbnail in parallel: independent objects, and a delete waits for this.
 */
export async function softDeleteFiles(store: MediaStore, attachment: Attachment): Promise<void> {
  await Promise.all(blobKeysOf(attachment).map((key) => store.softDelete(key)));
}

/**
 * Brings the files back. `missing` when the file itself cannot be restored; a thumbnail that
 * cannot is only logged (it is derived from the file and can be made again).
 */
export async function restoreFiles(
  store: MediaStore,
  attachment: Attachment,
): Promise<RestoreOutcome> {
  const [fileKey, ...derived] = blobKeysOf(attachment);
  const outcome = await store.restore(fileKey as string);
  if (outcome === 'missing') return outcome;
  for (const key of derived) {
    if ((await store.restore(key)) === 'missing') {
      logger.warn('thumbnail could not be restored', { attachmentId: attachment.id, key });
    }
  }
  return outcome;
}

/** Places or lifts the storage legal hold on every file of the attachment. */
export async function setFilesLegalHold(
  store: MediaStore,
  attachment: Attachment,
  on: boolean,
): Promise<void> {
  for (const key of blobKeysOf(attachment)) {
    const stored = await store.setLegalHold(key, on);
    if (!stored && on) {
      // The record's hold still protects what the sweeps do; storage has nothing to hold.
      logger.error('legal hold: no stored object to hold', { attachmentId: attachment.id, key });
    }
  }
}
