/**
 * Domain events from the table's change stream: one pure function from a stream record (the
 * item before and after one committed write) to the events that write stands for. An event
 * exists if and only if its change committed: a refused, rolled-back or no-op write leaves no
 * stream record, and a record whose change no consumer cares about (a purge claim, a TTL
 * reschedule) maps to no event.
 *
 * The same function serves the deployed stream consumer (`functions/stream-events`, Lambda
 * event records) and the local one (`local/stream-events.ts`, DynamoDB Local through the
 * Streams API): both record shapes fit `ChangeRecord`.
 *
 * Event ids are derived from the stream record's `eventID` (unique per record, the same on
 * every delivery of it) and the event type, so a redelivered record yields the same ids and
 * consumers can deduplicate (delivery is at least once).
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { v5 as uuidV5 } from 'uuid';
import type { Attachment } from '../attachments/model.ts';
import { attachmentFromItem, CHANGED_AT } from '../attachments/records.ts';
import { keys } from '../db/keys.ts';
import {
  type AttachmentEventType,
  attachmentEvent,
  attachmentSnapshot,
  type DomainEvent,
  domainEvent,
  type EventType,
  type PurgedBy,
} from './domain-events.ts';

/** A DynamoDB stream record as Lambda delivers it and as `GetRecords` returns it. */
export interface ChangeRecord {
  /** Unique per stream record. */
  eventID?: string;
  /** `INSERT`, `MODIFY`, `REMOVE` (DynamoDB Local names TTL deletions otherwise, see below). */
  eventName?: string;
  /**
   * Set on TTL deletions: `{ type: 'Service', principalId: 'dynamodb.amazonaws.com' }` in a
   * Lambda event, with capitalised names (`Type`, `PrincipalId`) from the SDK.
   */
  userIdentity?: { type?: string; principalId?: string; Type?: string; PrincipalId?: string };
  dynamodb?: {
    /** Epoch seconds in a Lambda event, a Date from the SDK. */
    ApproximateCreationDateTime?: number | Date;
    SequenceNumber?: string;
    /** Marshalled items (`{ "S": "…" }`, …). */
    OldImage?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
  };
}

/** Names every derived event id (UUID v5 of `<eventID>/<type>` in this namespace). */
const EVENT_ID_NAMESPACE = '6f1d0c3e-9a47-4b8e-8f5a-2c7d1e9b4a60';

/** The principal of DynamoDB's own TTL deletions in a stream record's `userIdentity`. */
const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

/**
 * DynamoDB Local runs TTL too, but its stream records of TTL deletions carry this event name
 * (its SDK enum's fallback) and no `userIdentity`; the images are those of a REMOVE.
 */
export const LOCAL_TTL_EVENT_NAME = 'UNKNOWN_TO_SDK_VERSION';

/** The processing findings (`lib/attachments/processing-records.ts`): what `media.processed` reports. */
const PROCESSED_FIELDS = ['thumbnailKey', 'placeholder', 'width', 'height', 'duration'] as const;

const ATTACHMENT_PARTITION_PREFIX = keys.attachment('').PK;

type Item = Record<string, unknown>;

/** The domain events of one committed change, in the order they happened (usually one). */
export function eventsFromChange(record: ChangeRecord): DomainEvent[] {
  const before = imageOf(record.dynamodb?.OldImage);
  const after = imageOf(record.dynamodb?.NewImage);
  const item = after ?? before;
  if (!item || !isAttachmentItem(item)) return [];
  const eventID = record.eventID;
  if (!eventID) throw new Error('stream record without eventID');
  const idOf = (type: EventType) => uuidV5(`${eventID}/${type}`, EVENT_ID_NAMESPACE);
  const streamTime = approximateTimeOf(record);

  if (before && !after) {
    const old = attachmentFromItem(before);
    const removedBy: PurgedBy = removedByTtl(record, before) ? 'ttl' : 'purge_sweep';
    // A sweep's claim time, else no earlier than the deadline TTL waited for.
    const time = numberOr(before.purgingAt, Math.max(streamTime, old.purgeAfter ?? 0));
    return [
      domainEvent(
        'media.purged',
        old.workspaceId,
        { attachment: attachmentSnapshot(old), removedBy },
        time,
        idOf('media.purged'),
      ),
    ];
  }
  if (!after) return [];
  const next = attachmentFromItem(after);
  if (!before) {
    return [attachmentEvent('media.uploaded', next, next.createdAt, idOf('media.uploaded'))];
  }

  const prev = attachmentFromItem(before);
  const time = numberOr(after[CHANGED_AT], streamTime);
  const events: DomainEvent[] = [];
  const push = (type: AttachmentEventType) =>
    events.push(attachmentEvent(type, next, time, idOf(type)));
  if (wasProcessed(prev, next)) push('media.processed');
  if (prev.deletedAt === null && next.deletedAt !== null) push('media.deleted');
  if (prev.deletedAt !== null && next.deletedAt === null) push('media.restored');
  if (prev.legalHold !== next.legalHold) {
    events.push(
      domainEvent(
        'media.legal_hold_changed',
        next.workspaceId,
        { attachment: attachmentSnapshot(next), legalHold: next.legalHold },
        time,
        idOf('media.legal_hold_changed'),
      ),
    );
  }
  return events;
}

function imageOf(image: Record<string, unknown> | undefined): Item | undefined {
  if (!image || Object.keys(image).length === 0) return undefined;
  return unmarshall(image as Parameters<typeof unmarshall>[0]);
}

function isAttachmentItem(item: Item): boolean {
  return (
    typeof item.PK === 'string' &&
    item.PK.startsWith(ATTACHMENT_PARTITION_PREFIX) &&
    item.SK === keys.attachment('').SK
  );
}

/**
 * DynamoDB's own TTL deletion (AWS: its service principal; DynamoDB Local: its event name), or
 * any removal of a record the purge sweep had not claimed: the sweep always claims first, and
 * the local stack's TTL stand-in (`local/ttl-reaper.ts`) can only delete like anyone else.
 */
function removedByTtl(record: ChangeRecord, before: Item): boolean {
  if (before.purgingAt === undefined) return true;
  if (record.eventName === LOCAL_TTL_EVENT_NAME) return true;
  const identity = record.userIdentity;
  const type = identity?.type ?? identity?.Type;
  const principal = identity?.principalId ?? identity?.PrincipalId;
  return type === 'Service' && principal === TTL_PRINCIPAL;
}

/** Processing only ever fills in what is unknown (it never overwrites or removes). */
function wasProcessed(prev: Attachment, next: Attachment): boolean {
  return PROCESSED_FIELDS.some(
    (field) => (prev[field] ?? null) === null && (next[field] ?? null) !== null,
  );
}

/** Epoch ms of the stream record (second precision on AWS, minutes on DynamoDB Local). */
function approximateTimeOf(record: ChangeRecord): number {
  const value = record.dynamodb?.ApproximateCreationDateTime;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  return Date.now();
}

const numberOr = (value: unknown, fallback: number): number =>
  typeof value === 'number' ? value : fallback;
