/**
 * The deployed stream consumer (`functions/stream-events`): Lambda's DynamoDB stream records
 * in, PutEvents out, and a partial batch response naming exactly the records to retry. The
 * bus is mocked (aws-sdk-client-mock): its per-entry failures are what is under test.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../../lib/events/domain-events.ts';
import type { ChangeRecord } from '../../../lib/events/from-stream-record.ts';
import { EventBridgePublisher } from '../../../lib/events/publisher.ts';
import { deliverChanges } from '../../../lib/events/stream-delivery.ts';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());
const bus = new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'media-bus');

const upload = (n: number): ChangeRecord => ({
  eventID: `evt-${n}`,
  eventName: 'INSERT',
  dynamodb: {
    ApproximateCreationDateTime: 1_774_000_000,
    SequenceNumber: String(n).padStart(21, '0'),
    NewImage: marshall({
      PK: `ATTACHMENT#att_${n}`,
      SK: 'ATTACHMENT',
      id: `att_${n}`,
      workspaceId: 'ws_one',
      postId: 'pst_one',
      uploaderId: 'usr_one',
      fileName: 'a.png',
      originalFileName: 'a.png',
      fileType: 'image',
      mimeType: 'image/png',
      fileSize: 3,
      sha256: 'ab'.repeat(32),
      storageKey: `uploads/2026/01/01/${n}.png`,
      createdAt: 1_774_000_000_000 + n,
      legalHold: false,
    }),
  },
});
const notAnAttachment = (n: number): ChangeRecord => ({
  eventID: `evt-${n}`,
  eventName: 'INSERT',
  dynamodb: {
    SequenceNumber: String(n).padStart(21, '0'),
    NewImage: marshall({ PK: 'POST#pst_one', SK: 'POST' }),
  },
});

const sentEntries = () =>
  eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
const ok = (count: number) => ({
  FailedEntryCount: 0,
  Entries: Array.from({ length: count }, (_, i) => ({ EventId: `eb-${i}` })),
});

describe('deliverChanges', () => {
  it('puts every derived event on the bus, in order, ten per call, and fails nothing', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input) => ok(input.Entries.length));
    const records = [...Array.from({ length: 12 }, (_, i) => upload(i + 1)), notAnAttachment(13)];
    const result = await deliverChanges(records, bus);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.report).toEqual({ records: 13, published: 12, failedRecords: 0 });
    expect(
      eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length),
    ).toEqual([10, 2]);
    const entries = sentEntries();
    expect(entries[0]).toMatchObject({
      EventBusName: 'media-bus',
      Source: EVENT_SOURCE,
      DetailType: 'media.uploaded',
    });
    expect(entries.map((entry) => JSON.parse(entry.Detail ?? '{}').data.attachment.id)).toEqual(
      Array.from({ length: 12 }, (_, i) => `att_${i + 1}`),
    );
  });

  it('fails exactly the records whose entries EventBridge rejected (FailedEntryCount)', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [
        { EventId: 'eb-1' },
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
        { EventId: 'eb-3' },
      ],
    });
    const result = await deliverChanges([upload(1), upload(2), upload(3)], bus);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '000000000000000000002' }]);
    expect(result.report).toMatchObject({ published: 2, failedRecords: 1 });
  });

  it('after a rejected batch, sends nothing more and fails the rest too (retried in order)', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [...ok(9).Entries, { ErrorCode: 'InternalFailure' }],
      })
      .resolves(ok(10));
    const records = Array.from({ length: 12 }, (_, i) => upload(i + 1));
    const result = await deliverChanges(records, bus);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      [10, 11, 12].map((n) => String(n).padStart(21, '0')),
    );
  });

  it('a failed call fails the invocation (Lambda retries the whole batch, bisecting it)', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('network down'));
    await expect(deliverChanges([upload(1)], bus)).rejects.toThrow('network down');
  });

  it('a record that yields no events cannot be skipped silently: it and the rest are retried', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input) => ok(input.Entries.length));
    const broken = upload(2);
    delete broken.eventID;
    const failures: string[] = [];
    const result = await deliverChanges([upload(1), broken, upload(3)], bus, (message) =>
      failures.push(message),
    );
    // Only what came before it was published; retrying starts at the broken record.
    expect(sentEntries()).toHaveLength(1);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '000000000000000000002' }]);
    expect(failures).toEqual(['stream record without events']);
  });
});
