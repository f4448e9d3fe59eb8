/**
 * `media.uploaded` and `media.processed` through the handlers' wiring
 * (`publishingMediaEvents(EventBridgePublisher)`), with the stores and the bus mocked: one event
 * per committed change, carrying the attachment's snapshot, and a bus failure never turns the
 * committed change into an error. Also the legal hold that processing puts on the thumbnail of
 * a held attachment.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishingMediaEvents } from '../../../lib/attachments/media-events.ts';
import type { Attachment } from '../../../lib/attachments/model.ts';
import { uploadMedia } from '../../../lib/attachments/upload.ts';
import { completeUploadSession } from '../../../lib/attachments/upload-sessions.ts';
import { keys } from '../../../lib/db/keys.ts';
import {
  attachmentSnapshot,
  type DomainEvent,
  EVENT_SOURCE,
} from '../../../lib/events/domain-events.ts';
import { EventBridgePublisher } from '../../../lib/events/publisher.ts';
import { processStoredObject } from '../../../lib/processing/process-media.ts';
import { S3MediaStore } from '../../../lib/storage/s3-media-store.ts';
import type { StagingArea } from '../../../lib/storage/staging.ts';
import { answerBatchGets, publishedPostDirectory } from '../../support/mock-directory.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const s3Mock = mockClient(S3Client);
const busMock = mockClient(EventBridgeClient);

const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'media-test',
};
const store = new S3MediaStore(new S3Client({ region: 'us-east-1' }), 'media-bucket');
const notify = publishingMediaEvents(
  new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'media-events'),
);
const viewer = { userId: 'usr_author', workspaceId: 'ws_one', role: 'member' as const };
const png = readFileSync(new URL('../../fixtures/media/image-64x48.png', import.meta.url));
const jpeg = readFileSync(new URL('../../fixtures/media/image-1600x900.jpg', import.meta.url));

let directory = publishedPostDirectory();

/** The events put on the bus, in order, as consumers receive them (`detail`). */
function published(): DomainEvent[] {
  return busMock
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => {
      expect(entry).toMatchObject({ EventBusName: 'media-events', Source: EVENT_SOURCE });
      const event = JSON.parse(entry.Detail ?? '{}') as DomainEvent;
      expect(entry.DetailType).toBe(event.type);
      return event;
    });
}

/** The attachment item the upload committed (the Put of its transaction). */
function committedItem(): Record<string, unknown> {
  const transaction = ddbMock.commandCalls(TransactWriteCommand)[0]?.args[0].input;
  const item = transaction?.TransactItems?.find((entry) => entry.Put)?.Put?.Item;
  if (!item) throw new Error('no attachment committed');
  return item;
}

/** The snapshot an event must carry for a committed record. */
function snapshotOf(item: Record<string, unknown>) {
  const { PK: _pk, SK: _sk, ...rest } = item;
  return attachmentSnapshot({
    thumbnailKey: null,
    width: null,
    height: null,
    duration: null,
    deletedAt: null,
    purgeAfter: null,
    ...rest,
  } as Attachment);
}

beforeEach(() => {
  directory = publishedPostDirectory();
  answerBatchGets(ddbMock, table.tableName, () => directory);
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(TransactWriteCommand).resolves({});
  s3Mock.on(PutObjectCommand).resolves({});
  s3Mock.on(DeleteObjectCommand).resolves({});
  busMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
});

afterEach(() => {
  ddbMock.reset();
  s3Mock.reset();
  busMock.reset();
});

describe('media.uploaded', () => {
  const deps = {
    table,
    store,
    maxUploadBytes: 1024 * 1024,
    notify,
    now: () => Date.UTC(2026, 0, 2),
  };
  const body = {
    postId: 'pst_one',
    fileName: 'pic.png',
    mimeType: 'image/png',
    fileData: png.toString('base64'),
  };

  it('a JSON upload publishes exactly one event with the committed attachment', async () => {
    const result = await uploadMedia(deps, viewer, body);

    const events = published();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'media.uploaded',
      version: 1,
      time: '2026-01-02T00:00:00.000Z',
      workspaceId: 'ws_one',
      data: { attachment: snapshotOf(committedItem()) },
    });
    expect(event?.data).toMatchObject({
      attachment: {
        id: result.id,
        postId: 'pst_one',
        uploaderId: 'usr_author',
        mimeType: 'image/png',
        fileSize: png.length,
        width: 64,
        height: 48,
        thumbnailKey: null,
        legalHold: false,
      },
    });
    // The snapshot's fields and nothing else: no key material, no bytes, no table keys.
    expect(Object.keys(event?.data.attachment ?? {}).sort()).toEqual(
      Object.keys(snapshotOf(committedItem())).sort(),
    );
    expect(JSON.stringify(event)).not.toMatch(/pf_live_|fileData|"PK"|iVBORw0KGgo/);
  });

  it('a refused upload publishes nothing', async () => {
    await expect(uploadMedia(deps, { ...viewer, userId: 'usr_other' }, body)).rejects.toMatchObject(
      { statusCode: 403 },
    );
    expect(published()).toEqual([]);
  });

  it('a failing bus does not fail the upload (the record is committed)', async () => {
    busMock.on(PutEventsCommand).rejects(new Error('EventBridge is down'));
    const result = await uploadMedia(deps, viewer, body);
    expect(result).toMatchObject({ postId: 'pst_one', fileName: 'pic.png' });
    expect(busMock.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  describe('through an upload session', () => {
    const uploadId = 'upl_session1';
    const removed: string[] = [];
    const staging = {
      read: async () => ({ kind: 'found', bytes: new Uint8Array(png) }),
      remove: async (key: string) => {
        removed.push(key);
      },
    } as unknown as StagingArea;
    const sessionDeps = { ...deps, staging, uploadUrlSeconds: 900 };

    beforeEach(() => {
      removed.length = 0;
      ddbMock.on(GetCommand, { Key: keys.uploadSession(uploadId) }).resolves({
        Item: {
          ...keys.uploadSession(uploadId),
          id: uploadId,
          workspaceId: 'ws_one',
          userId: 'usr_author',
          postId: 'pst_one',
          fileName: 'pic.png',
          mimeType: 'image/png',
          fileSize: png.length,
          stagingKey: `staging/${uploadId}`,
          createdAt: Date.UTC(2026, 0, 2) - 60_000,
          expiresAt: Date.UTC(2026, 0, 2) + 60_000,
          completeBy: Date.UTC(2026, 0, 2) + 600_000,
          status: 'pending',
        },
      });
    });

    it('completing publishes exactly one event with the committed attachment', async () => {
      const completed = await completeUploadSession(sessionDeps, viewer, uploadId);

      expect(completed.statusCode).toBe(201);
      const events = published();
      expect(events.map((e) => e.type)).toEqual(['media.uploaded']);
      expect(events[0]?.data).toEqual({ attachment: snapshotOf(committedItem()) });
      expect(events[0]?.data.attachment).toMatchObject({
        id: completed.body.id,
        fileSize: png.length,
      });
      expect(removed).toEqual([`staging/${uploadId}`]);
    });

    it('a failing bus does not fail the completion', async () => {
      busMock.on(PutEventsCommand).resolves({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      });
      const completed = await completeUploadSession(sessionDeps, viewer, uploadId);
      expect(completed.statusCode).toBe(201);
      expect(removed).toEqual([`staging/${uploadId}`]);
    });
  });
});

describe('media.processed', () => {
  const id = 'att_0123456789abcdefghij';
  const storageKey = 'uploads/2026/01/02/0123456789abcdefghij.jpg';
  const record: Attachment = {
    id,
    workspaceId: 'ws_one',
    postId: 'pst_one',
    uploaderId: 'usr_author',
    fileName: 'wide.jpg',
    originalFileName: 'wide.jpg',
    fileType: 'image',
    mimeType: 'image/jpeg',
    fileSize: jpeg.length,
    sha256: 'a'.repeat(64),
    storageKey,
    thumbnailKey: null,
    width: 1600,
    height: 900,
    duration: null,
    createdAt: Date.UTC(2026, 0, 2),
    legalHold: false,
    deletedAt: null,
    purgeAfter: null,
  };
  const deps = { table, store, notify, now: () => Date.UTC(2026, 0, 2, 0, 1) };
  const event = { bucket: 'media-bucket', key: storageKey, createdAt: Date.UTC(2026, 0, 2) };
  const itemOf = (attachment: Attachment) => ({
    ...keys.attachment(attachment.id),
    ...Object.fromEntries(Object.entries(attachment).filter(([, v]) => v !== null)),
  });

  /** The stored record is `attachment`; the conditional update applies its SET like DynamoDB. */
  function stored(attachment: Attachment) {
    ddbMock.on(GetCommand, { Key: keys.attachment(id) }).resolves({ Item: itemOf(attachment) });
    ddbMock.on(UpdateCommand).callsFake((input) => ({
      Attributes: {
        ...itemOf(attachment),
        thumbnailKey: input.ExpressionAttributeValues[':thumbnailKey'],
      },
    }));
    s3Mock.on(GetObjectCommand, { Key: storageKey }).resolves({
      Body: { transformToByteArray: async () => new Uint8Array(jpeg) },
      ContentType: 'image/jpeg',
    } as never);
  }

  const thumbnailPut = () =>
    s3Mock
      .commandCalls(PutObjectCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.Key?.startsWith('thumbnails/'));

  it('a processing run publishes exactly one event with the updated attachment', async () => {
    stored(record);
    expect(await processStoredObject(deps, event)).toBe('processed');

    const thumbnailKey = thumbnailPut()?.Key;
    expect(thumbnailKey).toMatch(/^thumbnails\/2026\/01\/02\/0123456789abcdefghij-\w{8}\.webp$/);
    const events = published();
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'media.processed',
      version: 1,
      time: '2026-01-02T00:01:00.000Z',
      workspaceId: 'ws_one',
      data: { attachment: attachmentSnapshot({ ...record, thumbnailKey: thumbnailKey ?? null }) },
    });
  });

  it('a duplicate event (already processed) publishes nothing', async () => {
    stored({ ...record, thumbnailKey: 'thumbnails/2026/01/02/0123456789abcdefghij-abcdefgh.webp' });
    expect(await processStoredObject(deps, event)).toBe('nothing_to_do');
    expect(published()).toEqual([]);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('a failing bus does not fail the run (the findings are recorded)', async () => {
    stored(record);
    busMock.on(PutEventsCommand).rejects(new Error('EventBridge is down'));
    expect(await processStoredObject(deps, event)).toBe('processed');
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  describe('legal hold on the thumbnail', () => {
    const holdsPlaced = () =>
      s3Mock.commandCalls(PutObjectLegalHoldCommand).map((call) => call.args[0].input);

    beforeEach(() => {
      s3Mock.on(ListObjectVersionsCommand).callsFake((input) => ({
        Versions: [{ Key: input.Prefix, VersionId: 'v1' }],
      }));
      s3Mock.on(PutObjectLegalHoldCommand).resolves({});
    });

    it('is placed when the attachment is held when the thumbnail is recorded', async () => {
      stored({ ...record, legalHold: true });
      expect(await processStoredObject(deps, event)).toBe('processed');
      expect(holdsPlaced()).toEqual([
        {
          Bucket: 'media-bucket',
          Key: thumbnailPut()?.Key,
          VersionId: 'v1',
          LegalHold: { Status: 'ON' },
        },
      ]);
      expect(published().map((e) => e.data.attachment.legalHold)).toEqual([true]);
    });

    it('is not placed on the thumbnail of an attachment without a hold', async () => {
      stored(record);
      expect(await processStoredObject(deps, event)).toBe('processed');
      expect(holdsPlaced()).toEqual([]);
    });

    it('a failed hold fails the run (retried); the retry holds it and publishes nothing more', async () => {
      stored({ ...record, legalHold: true });
      s3Mock.on(PutObjectLegalHoldCommand).rejectsOnce(new Error('S3 is down')).resolves({});
      await expect(processStoredObject(deps, event)).rejects.toThrow('S3 is down');
      const thumbnailKey = thumbnailPut()?.Key ?? null;
      expect(published().map((e) => e.type)).toEqual(['media.processed']);

      // The retry finds the thumbnail recorded: it only places the hold.
      stored({ ...record, legalHold: true, thumbnailKey });
      expect(await processStoredObject(deps, event)).toBe('nothing_to_do');
      expect(holdsPlaced().at(-1)).toMatchObject({
        Key: thumbnailKey,
        LegalHold: { Status: 'ON' },
      });
      expect(published()).toHaveLength(1);
    });
  });
});
