/**
 * Domain events: what happened to an attachment, in one versioned JSON envelope whatever the
 * transport (EventBridge on AWS, an NDJSON file locally; see `publisher.ts`). The events of
 * changes to a record are derived from the table's change stream (`from-stream-record.ts`);
 * only the storage reconciliation's report (`media.blob_missing`) is published directly.
 *
 * To add an event type, add its `data` shape to `EventData` and its version to
 * `EVENT_VERSIONS`; the compiler then accepts `domainEvent('<type>', …)` everywhere. Bump a
 * type's version when its `data` changes in a way consumers must notice.
 */
import { randomUUID } from 'node:crypto';
import type { Attachment, Placeholder } from '../attachments/model.ts';
import type { RemovedMetadata } from '../media/location/remove-location.ts';

/** `source` of every event on the bus (what EventBridge rules match on). */
export const EVENT_SOURCE = 'media-service';

/**
 * The attachment as events carry it: the record's facts, listed field by field so that nothing
 * added to the record later is published without a decision here.
 */
export interface AttachmentSnapshot {
  id: string;
  workspaceId: string;
  postId: string;
  uploaderId: string;
  fileName: string;
  originalFileName: string;
  fileType: string;
  mimeType: string;
  fileSize: number;
  sha256: string;
  storageKey: string;
  thumbnailKey: string | null;
  placeholder: Placeholder | null;
  metadataRemoved: RemovedMetadata[];
  width: number | null;
  height: number | null;
  duration: number | null;
  createdAt: number;
  legalHold: boolean;
  deletedAt: number | null;
  purgeAfter: number | null;
}

export function attachmentSnapshot(attachment: Attachment): AttachmentSnapshot {
  return {
    id: attachment.id,
    workspaceId: attachment.workspaceId,
    postId: attachment.postId,
    uploaderId: attachment.uploaderId,
    fileName: attachment.fileName,
    originalFileName: attachment.originalFileName,
    fileType: attachment.fileType,
    mimeType: attachment.mimeType,
    fileSize: attachment.fileSize,
    sha256: attachment.sha256,
    storageKey: attachment.storageKey,
    thumbnailKey: attachment.thumbnailKey,
    placeholder: attachment.placeholder ?? null,
    metadataRemoved: attachment.metadataRemoved ?? [],
    width: attachment.width,
    height: attachment.height,
    duration: attachment.duration,
    createdAt: attachment.createdAt,
    legalHold: attachment.legalHold,
    deletedAt: attachment.deletedAt,
    purgeAfter: attachment.purgeAfter,
  };
}

/** Who removed a purged record: the purge sweep, or DynamoDB's TTL (`docs/events.md`). */
export type PurgedBy = 'purge_sweep' | 'ttl';

/** The `data` of each event type. */
export interface EventData {
  /** Soft-deleted; restorable until `attachment.purgeAfter`. */
  'media.deleted': { attachment: AttachmentSnapshot };
  /** Back exactly as it was (same id, url, list position). */
  'media.restored': { attachment: AttachmentSnapshot };
  /**
   * The record is gone for good; its files are removed (locally) or expire by lifecycle (AWS).
   * `removedBy`: the purge sweep, or DynamoDB TTL when no sweep got to it first.
   */
  'media.purged': { attachment: AttachmentSnapshot; removedBy: PurgedBy };
  /** `legalHold` is the new state (also in the snapshot). */
  'media.legal_hold_changed': { attachment: AttachmentSnapshot; legalHold: boolean };
  /** A committed record whose stored file could not be found (reported by the orphan sweep). */
  'media.blob_missing': { attachment: AttachmentSnapshot; missingKeys: string[] };
  /** A new attachment was committed, by either upload path (JSON body or upload session). */
  'media.uploaded': { attachment: AttachmentSnapshot };
  /**
   * Processing recorded what it learnt from the stored file: a thumbnail (`thumbnailKey`) and/or
   * metadata the upload could not read (`width`, `height`, `duration`).
   */
  'media.processed': { attachment: AttachmentSnapshot };
}

export type EventType = keyof EventData;

export const EVENT_VERSIONS: { readonly [T in EventType]: number } = {
  'media.deleted': 1,
  'media.restored': 1,
  'media.purged': 1,
  'media.legal_hold_changed': 1,
  'media.blob_missing': 1,
  'media.uploaded': 1,
  'media.processed': 1,
};

export interface DomainEvent<T extends EventType = EventType> {
  /** Unique per event, the same on every delivery of it (consumers deduplicate on it). */
  id: string;
  type: T;
  /** Version of this type's `data` shape. */
  version: number;
  /** When it happened, ISO 8601 UTC. */
  time: string;
  workspaceId: string;
  data: EventData[T];
}

/**
 * `id`: derived from the change for events of a change (so that a redelivered change keeps
 * its id), random for reports that are not a change (`media.blob_missing`).
 */
export function domainEvent<T extends EventType>(
  type: T,
  workspaceId: string,
  data: EventData[T],
  now: number = Date.now(),
  id: string = randomUUID(),
): DomainEvent<T> {
  return {
    id,
    type,
    version: EVENT_VERSIONS[type],
    time: new Date(now).toISOString(),
    workspaceId,
    data,
  };
}

/** The event types whose `data` is the attachment's snapshot and nothing else. */
export type AttachmentEventType =
  | 'media.deleted'
  | 'media.restored'
  | 'media.uploaded'
  | 'media.processed';

/** The common case: an event about one attachment, with its snapshot. */
export function attachmentEvent(
  type: AttachmentEventType,
  attachment: Attachment,
  now?: number,
  id?: string,
): DomainEvent {
  return domainEvent(
    type,
    attachment.workspaceId,
    { attachment: attachmentSnapshot(attachment) },
    now,
    id,
  );
}
