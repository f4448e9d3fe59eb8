/**
 * The domain event envelope and its two transports: EventBridge (exact PutEvents entries,
 * batches of 10, per-entry failures) and the local NDJSON file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Attachment } from '../../../lib/attachments/model.ts';
import {
  attachmentEvent,
  attachmentSnapshot,
  domainEvent,
  EVENT_SOURCE,
  EVENT_VERSIONS,
} from '../../../lib/events/domain-events.ts';
import {
  EventBridgePublisher,
  eventPublisherFrom,
  NdjsonEventPublisher,
  publishAfterCommit,
} from '../../../lib/events/publisher.ts';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

const attachment: Attachment = {
  id: 'att_abc',
  workspaceId: 'ws_one',
  postId: 'pst_one',
  uploaderId: 'usr_one',
  fileName: 'a.png',
  originalFileName: 'a.png',
  fileType: 'image',
  mimeType: 'image/png',
  fileSize: 3,
  sha256: 'ab',
  storageKey: 'uploads/2026/01/01/abc.png',
  thumbnailKey: null,
  placeholder: null,
  metadataRemoved: [],
  width: 1,
  height: 1,
  duration: null,
  createdAt: 1,
  legalHold: false,
  deletedAt: 2,
  purgeAfter: 3,
};

describe('envelope', () => {
  it('is versioned per type, with id, time, workspace and the attachment snapshot', () => {
    const event = attachmentEvent('media.deleted', attachment, Date.UTC(2026, 0, 2));
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'media.deleted',
      version: EVENT_VERSIONS['media.deleted'],
      time: '2026-01-02T00:00:00.000Z',
      workspaceId: 'ws_one',
      data: { attachment: attachmentSnapshot(attachment) },
    });
    expect(attachmentEvent('media.deleted', attachment).id).not.toBe(event.id);
  });

  it('snapshots exactly the listed fields, nothing added to the record later', () => {
    const record = { ...attachment, secretThing: 'no' } as Attachment;
    expect(attachmentSnapshot(record)).not.toHaveProperty('secretThing');
    expect(Object.keys(attachmentSnapshot(record)).sort()).toEqual(Object.keys(attachment).sort());
  });
});

describe('EventBridgePublisher', () => {
  const publisher = new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'bus');

  it('puts each event on the bus with source, detail-type = type, detail = envelope', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
    const event = domainEvent(
      'media.legal_hold_changed',
      'ws_one',
      { attachment: attachmentSnapshot(attachment), legalHold: true },
      0,
    );
    await publisher.publish([event]);
    expect(eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input).toEqual({
      Entries: [
        {
          EventBusName: 'bus',
          Source: EVENT_SOURCE,
          DetailType: 'media.legal_hold_changed',
          Detail: JSON.stringify(event),
          Time: new Date(0),
        },
      ],
    });
  });

  it('sends at most 10 entries per call', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const events = Array.from({ length: 23 }, () => attachmentEvent('media.deleted', attachment));
    await publisher.publish(events);
    expect(
      eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length),
    ).toEqual([10, 10, 3]);
  });

  it('fails when EventBridge rejects entries (it answers 200 all the same)', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(publisher.publish([attachmentEvent('media.deleted', attachment)])).rejects.toThrow(
      /rejected 1 event.*InternalFailure/,
    );
  });

  it('publishAfterCommit logs a failure instead of throwing (the change is committed)', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('down'));
    await expect(
      publishAfterCommit(publisher, [attachmentEvent('media.deleted', attachment)]),
    ).resolves.toBeUndefined();
  });
});

describe('NdjsonEventPublisher', () => {
  it('appends one JSON line per event under DATA_DIR (created when missing)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'events-'));
    try {
      const publisher = eventPublisherFrom({
        tableName: 't',
        bucketName: 'b',
        maxUploadBytes: 1,
        gracePeriodSeconds: 1,
        dynamoEndpoint: undefined,
        s3Endpoint: undefined,
        region: 'us-east-1',
        dataDir: join(dir, 'nested'),
      });
      expect(publisher).toBeInstanceOf(NdjsonEventPublisher);
      const first = attachmentEvent('media.deleted', attachment);
      const second = attachmentEvent('media.restored', attachment);
      await publisher.publish([first]);
      await publisher.publish([second]);
      const lines = (await readFile(join(dir, 'nested', 'events.ndjson'), 'utf8')).split('\n');
      expect(lines.slice(0, 2).map((line) => JSON.parse(line))).toEqual([first, second]);
      expect(lines[2]).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('picks EventBridge when the configuration names a bus', () => {
    const publisher = eventPublisherFrom({
      tableName: 't',
      bucketName: 'b',
      maxUploadBytes: 1,
      gracePeriodSeconds: 1,
      dynamoEndpoint: undefined,
      s3Endpoint: undefined,
      region: 'us-east-1',
      eventBusName: 'media-events',
    });
    expect(publisher).toBeInstanceOf(EventBridgePublisher);
  });

  it('logs nothing and writes nothing for an empty batch', async () => {
    const publisher = new NdjsonEventPublisher('/nonexistent/dir/events.ndjson');
    const spy = vi.fn();
    await publisher.publish([]).then(spy);
    expect(spy).toHaveBeenCalled();
  });
});
