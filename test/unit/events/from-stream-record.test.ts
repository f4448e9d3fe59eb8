/**
 * The one mapping from a committed change (a stream record: item before, item after) to domain
 * events: every kind of attachment write, the writes that stand for no event, stable ids, and
 * both record shapes (Lambda event, Streams API through the SDK, DynamoDB Local's TTL).
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { type ChangeRecord, eventsFromChange } from '../../../lib/events/from-stream-record.ts';

const createdAt = Date.UTC(2026, 2, 14, 9, 26, 53, 589);
const deletedAt = Date.UTC(2026, 2, 20, 16, 2, 11, 4);
const purgeAfter = deletedAt + 7 * 86_400_000;

/** An attachment record as stored (keys, index keys and absent unknowns included). */
const live = {
  PK: 'ATTACHMENT#att_8h3n5b2v7c1x9z4m6q0w',
  SK: 'ATTACHMENT',
  entity: 'attachment',
  id: 'att_8h3n5b2v7c1x9z4m6q0w',
  workspaceId: 'ws_one',
  projectId: 'prj_one',
  postId: 'pst_one',
  uploaderId: 'usr_one',
  fileName: 'photo.jpg',
  originalFileName: 'Photo.jpg',
  fileType: 'image',
  mimeType: 'image/jpeg',
  fileSize: 2483120,
  sha256: 'ab'.repeat(32),
  storageKey: 'uploads/2026/03/14/8h3n5b2v7c1x9z4m6q0w.jpg',
  metadataRemoved: [],
  width: 4032,
  height: 3024,
  createdAt,
  legalHold: false,
  byPostPK: 'POST#pst_one',
  listSK: `000${createdAt}#att_8h3n5b2v7c1x9z4m6q0w`,
};
const processed = {
  ...live,
  thumbnailKey: 'thumbnails/2026/03/14/8h3n5b2v7c1x9z4m6q0w-k3j9d2f7.webp',
  placeholder: { blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj', color: '#8a6f55' },
  changedAt: createdAt + 1500,
};
const { listSK: _listSK, ...unlisted } = processed;
const deleted = {
  ...unlisted,
  deletedAt,
  purgeAfter,
  ttl: Math.ceil(purgeAfter / 1000),
  purgePK: 'PURGE',
  purgeSK: `00${purgeAfter}#att_8h3n5b2v7c1x9z4m6q0w`,
  changedAt: deletedAt,
};
const claimed = { ...deleted, purgingAt: purgeAfter + 5000 };

let sequence = 0;
/** A stream record as the Lambda event source delivers it. */
function change(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | string,
  before: object | undefined,
  after: object | undefined,
  extra: Partial<ChangeRecord> = {},
): ChangeRecord {
  sequence += 1;
  return {
    eventID: `evt-${sequence}`,
    eventName,
    dynamodb: {
      ApproximateCreationDateTime: 1_774_000_000,
      SequenceNumber: String(sequence).padStart(21, '0'),
      ...(before ? { OldImage: marshall(before, { removeUndefinedValues: true }) } : {}),
      ...(after ? { NewImage: marshall(after, { removeUndefinedValues: true }) } : {}),
    },
    ...extra,
  };
}

const typesOf = (record: ChangeRecord) => eventsFromChange(record).map((event) => event.type);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('eventsFromChange: one event per committed attachment change', () => {
  it('INSERT of an attachment: media.uploaded at its createdAt, with the snapshot', () => {
    const [event, ...more] = eventsFromChange(change('INSERT', undefined, live));
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: 'media.uploaded',
      version: 1,
      time: new Date(createdAt).toISOString(),
      workspaceId: 'ws_one',
      data: {
        attachment: {
          id: live.id,
          thumbnailKey: null,
          placeholder: null,
          duration: null,
          legalHold: false,
          deletedAt: null,
          purgeAfter: null,
        },
      },
    });
    expect(event?.id).toMatch(UUID);
    // The snapshot carries the record's facts only: no keys, no index attributes.
    expect(Object.keys(event?.data.attachment ?? {})).not.toContain('PK');
    expect(Object.keys(event?.data.attachment ?? {})).not.toContain('listSK');
  });

  it('processing findings: media.processed at the write time (changedAt)', () => {
    const [event] = eventsFromChange(change('MODIFY', live, processed));
    expect(event).toMatchObject({
      type: 'media.processed',
      time: new Date(processed.changedAt).toISOString(),
      data: {
        attachment: { thumbnailKey: processed.thumbnailKey, placeholder: processed.placeholder },
      },
    });
    // Metadata only (an audio duration backfill) is a processing result too.
    const { duration: _none, ...audio } = { ...live, fileType: 'audio', duration: undefined };
    expect(typesOf(change('MODIFY', audio, { ...audio, duration: 1.5 }))).toEqual([
      'media.processed',
    ]);
  });

  it('delete and restore: media.deleted, media.restored', () => {
    const [gone] = eventsFromChange(change('MODIFY', processed, deleted));
    expect(gone).toMatchObject({
      type: 'media.deleted',
      time: new Date(deletedAt).toISOString(),
      data: { attachment: { deletedAt, purgeAfter } },
    });
    const restoredAt = deletedAt + 60_000;
    const [back] = eventsFromChange(
      change('MODIFY', deleted, { ...processed, changedAt: restoredAt }),
    );
    expect(back).toMatchObject({
      type: 'media.restored',
      time: new Date(restoredAt).toISOString(),
      data: { attachment: { deletedAt: null, purgeAfter: null } },
    });
  });

  it('hold on and off, live or deleted: media.legal_hold_changed with the new state', () => {
    const on = eventsFromChange(change('MODIFY', processed, { ...processed, legalHold: true }));
    expect(on).toMatchObject([
      {
        type: 'media.legal_hold_changed',
        data: { legalHold: true, attachment: { legalHold: true } },
      },
    ]);
    // On a deleted attachment the hold also takes it off TTL and out of the purge queue.
    const { ttl: _t, purgePK: _p, purgeSK: _s, ...heldDeleted } = { ...deleted, legalHold: true };
    expect(eventsFromChange(change('MODIFY', heldDeleted, deleted))).toMatchObject([
      { type: 'media.legal_hold_changed', data: { legalHold: false } },
    ]);
  });

  it('REMOVE after the sweep claimed it: media.purged by the sweep, at the claim', () => {
    const [event] = eventsFromChange(change('REMOVE', claimed, undefined));
    // …unless DynamoDB's TTL got to the claimed record first (a sweep that stopped midway).
    const expired = change('REMOVE', claimed, undefined, {
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    });
    expect(eventsFromChange(expired)[0]?.data).toMatchObject({ removedBy: 'ttl' });
    expect(event).toMatchObject({
      type: 'media.purged',
      time: new Date(claimed.purgingAt).toISOString(),
      data: { removedBy: 'purge_sweep', attachment: { id: live.id, deletedAt, purgeAfter } },
    });
  });

  it('REMOVE by DynamoDB TTL: media.purged by ttl, in every record shape', () => {
    const lambda = change('REMOVE', deleted, undefined, {
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    });
    const sdk = change('REMOVE', deleted, undefined, {
      userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
    });
    // The local stack's TTL stand-in (local/ttl-reaper.ts): a plain REMOVE, never claimed.
    const reaper = change('REMOVE', deleted, undefined);
    // DynamoDB Local: its own event name for TTL deletions, no identity, a Date from the SDK.
    const local = change('UNKNOWN_TO_SDK_VERSION', deleted, undefined);
    (local.dynamodb as { ApproximateCreationDateTime: Date }).ApproximateCreationDateTime =
      new Date(purgeAfter + 3_600_000);
    for (const record of [lambda, sdk, reaper, local]) {
      expect(eventsFromChange(record)).toMatchObject([
        { type: 'media.purged', data: { removedBy: 'ttl', attachment: { id: live.id } } },
      ]);
    }
    // Never earlier than the deadline TTL waited for (stream times are coarse).
    expect(eventsFromChange(local)[0]?.time).toBe(new Date(purgeAfter + 3_600_000).toISOString());
    expect(Date.parse(eventsFromChange(lambda)[0]?.time ?? '')).toBeGreaterThanOrEqual(purgeAfter);
  });
});

describe('eventsFromChange: changes that are no event', () => {
  it('a write that changed nothing an integration sees (a repeated hold, a TTL reschedule)', () => {
    expect(typesOf(change('MODIFY', processed, { ...processed, changedAt: Date.now() }))).toEqual(
      [],
    );
    expect(typesOf(change('MODIFY', deleted, { ...deleted, ttl: deleted.ttl + 1 }))).toEqual([]);
  });

  it('the purge sweep claiming a record', () => {
    expect(typesOf(change('MODIFY', deleted, claimed))).toEqual([]);
  });

  it('items that are not attachments: posts, keys, upload sessions, request guards', () => {
    const items = [
      { PK: 'POST#pst_one', SK: 'POST', authorId: 'usr_one' },
      { PK: 'KEY#key_one', SK: 'KEY', keyHash: 'secret' },
      { PK: 'UPLOAD#upl_one', SK: 'UPLOAD', ttl: 1 },
      { PK: 'IDEMPOTENCY#abc', SK: 'IDEMPOTENCY' },
      { PK: 'RATE#key_one', SK: 'WINDOW#1' },
    ];
    for (const item of items) {
      expect(typesOf(change('INSERT', undefined, item))).toEqual([]);
      expect(typesOf(change('MODIFY', item, { ...item, x: 1 }))).toEqual([]);
      expect(typesOf(change('REMOVE', item, undefined))).toEqual([]);
    }
  });
});

describe('eventsFromChange: ids', () => {
  it('are the same for every delivery of one record and differ between records', () => {
    const record = change('INSERT', undefined, live);
    const again = structuredClone(record);
    expect(eventsFromChange(again)[0]?.id).toBe(eventsFromChange(record)[0]?.id);
    const other = change('INSERT', undefined, live);
    expect(eventsFromChange(other)[0]?.id).not.toBe(eventsFromChange(record)[0]?.id);
  });

  it('a record of an attachment without eventID cannot be given ids: refused', () => {
    const record = change('INSERT', undefined, live);
    delete record.eventID;
    expect(() => eventsFromChange(record)).toThrow(/eventID/);
  });
});
