/**
 * The `process-media` Lambda handler itself, fed as the deployed queue feeds it: SQS batches
 * (the event shape Lambda's SQS event source delivers) whose message bodies are storage events
 * (EventBridge "Object Created", deployed; S3 notifications, `npm start`). It answers
 * `batchItemFailures` with the messages to retry. It runs here on a bucket of its own,
 * configured through the environment like a Lambda (read once, at import).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { testConfig, testS3, testTable } from '../support/stack.ts';
import { objectCreatedEvent } from '../support/storage-events.ts';
import { tableEvents } from '../support/table-events.ts';

const bucket = `handler-${Date.now().toString(36)}`;
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let s: Scenario;
// Imported after the environment is set: through lib/config.ts they read it once, at import.
let lib: {
  getAttachment: typeof import('../../lib/attachments/records.ts').getAttachment;
  assertMayUpload: typeof import('../../lib/attachments/upload/upload-commit.ts').assertMayUpload;
  storeAndCommitUpload: typeof import('../../lib/attachments/upload/upload-commit.ts').storeAndCommitUpload;
  storageKeyFor: typeof import('../../lib/attachments/model.ts').storageKeyFor;
  mediaStoreFrom: typeof import('../../lib/storage/configured-store.ts').mediaStoreFrom;
  config: typeof import('../../lib/config.ts').config;
  eventsAbout: typeof import('../support/events.ts').eventsAbout;
  eventsFile: typeof import('../support/events.ts').eventsFile;
};

const savedEnv = { ...process.env };
// Where the handler would publish events if it still did (no bus configured: the local file).
const dataDir = mkdtempSync(join(tmpdir(), 'process-media-handler-'));
afterAll(() => {
  process.env = savedEnv;
  rmSync(dataDir, { recursive: true, force: true });
});

beforeAll(async () => {
  Object.assign(process.env, {
    TABLE_NAME: inject('tableName'),
    BUCKET_NAME: bucket,
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    S3_ENDPOINT: inject('s3Endpoint'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    DATA_DIR: dataDir,
  });
  await testS3().send(new CreateBucketCommand({ Bucket: bucket }));
  s = await seedScenario(testTable());
  ({ handler } = await import('../../functions/process-media/handler.ts'));
  lib = {
    ...(await import('../../lib/attachments/records.ts')),
    ...(await import('../../lib/attachments/upload/upload-commit.ts')),
    ...(await import('../../lib/attachments/model.ts')),
    ...(await import('../../lib/storage/configured-store.ts')),
    ...(await import('../../lib/config.ts')),
    // Through lib/events/publisher.ts it imports lib/config.ts too.
    ...(await import('../support/events.ts')),
  };
});

async function uploadedJpeg() {
  const { config, mediaStoreFrom, assertMayUpload, storeAndCommitUpload } = lib;
  expect(config.bucketName).toBe(bucket); // the handler reads the same configuration
  const author = { userId: s.author.id, workspaceId: s.workspaceId, role: 'member' as const };
  const post = await assertMayUpload(testTable(), author, s.posts.published);
  return storeAndCommitUpload(
    { table: testTable(), store: mediaStoreFrom(config) },
    author,
    post,
    { postId: post.id, fileName: 'wide.jpg', mimeType: 'image/jpeg' },
    mediaBytes('image-1600x900.jpg'),
  );
}

const keyOf = (url: string) => url.replace('/api/media/', '');

/** What S3 puts on the default bus, and the processing rule forwards to the queue as the body. */
const objectCreated = (key: string) => objectCreatedEvent(bucket, key);

/** One SQS message as Lambda's SQS event source hands it over (standard queue). */
const message = (body: unknown, receiveCount = 1): SQSRecord => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    messageId: randomUUID(),
    receiptHandle: `AQEB${randomUUID()}`,
    body: text,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(text).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:media-processing',
    awsRegion: 'eu-west-1',
  };
};

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A stored file under uploads/ whose upload has not committed (yet): processing must retry. */
async function uncommittedFile(): Promise<string> {
  const key = lib.storageKeyFor(`att_${randomUUID().replaceAll('-', '')}`, Date.now(), 'png');
  await lib.mediaStoreFrom(lib.config).put(key, new Uint8Array([1, 2, 3]), 'image/png');
  return key;
}

describe('process-media handler (SQS batches)', () => {
  it('processes the EventBridge "Object Created" event in a message body', async () => {
    const { id, url } = await uploadedJpeg();
    const result = await handler(batch(message(objectCreated(keyOf(url)))));
    expect(result).toEqual({ batchItemFailures: [] });
    const after = await lib.getAttachment(testTable(), id);
    expect(after?.thumbnailKey).toMatch(/^thumbnails\//);
    // The handler publishes nothing itself; its recorded write is one media.processed in the
    // table's change stream, with the recorded thumbnail.
    expect(await lib.eventsAbout(id, undefined, lib.eventsFile(dataDir))).toEqual([]);
    const processed = await tableEvents(testConfig(), { about: id, type: 'media.processed' });
    expect(processed).toHaveLength(1);
    expect(processed[0]?.data).toMatchObject({
      attachment: { id, thumbnailKey: after?.thumbnailKey },
    });
  });

  it('reports only the failed message; the others are done and not retried', async () => {
    const first = await uploadedJpeg();
    const second = await uploadedJpeg();
    const pending = message(objectCreated(await uncommittedFile()), 3);
    const result = await handler(
      batch(
        message(objectCreated(keyOf(first.url))),
        pending,
        // Not a storage event of this bucket: nothing to do, nothing to retry.
        message({ ...objectCreated(keyOf(first.url)), detail: { bucket: { name: 'other' } } }),
        message('not json'),
        message(objectCreated(keyOf(second.url))),
      ),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: pending.messageId }] });
    for (const { id } of [first, second]) {
      expect((await lib.getAttachment(testTable(), id))?.thumbnailKey).toMatch(/^thumbnails\//);
    }
  });

  it('fails the invocation when every message failed (the whole batch is retried)', async () => {
    const pending = message(objectCreated(await uncommittedFile()));
    await expect(handler(batch(pending))).rejects.toThrow(/All records failed/);
  });

  it('takes S3 notifications in a message body (the npm start shape); duplicates change nothing', async () => {
    const { id, url } = await uploadedJpeg();
    const record = (key: string, eventName = 'ObjectCreated:Put') => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName,
      eventTime: new Date().toISOString(),
      s3: { s3SchemaVersion: '1.0', bucket: { name: bucket }, object: { key, size: 1 } },
    });
    const notification = {
      Records: [
        record(keyOf(url)),
        record('thumbnails/2026/01/01/abc-x.webp'),
        record(keyOf(url), 'ObjectRemoved:Delete'),
      ],
    };
    expect(await handler(batch(message(notification)))).toEqual({ batchItemFailures: [] });
    const thumbnailKey = (await lib.getAttachment(testTable(), id))?.thumbnailKey;
    expect(thumbnailKey).toMatch(/^thumbnails\//);
    // Redelivered (at least once), alone and twice in one batch.
    const again = message(notification, 2);
    expect(await handler(batch(again, again))).toEqual({ batchItemFailures: [] });
    expect((await lib.getAttachment(testTable(), id))?.thumbnailKey).toBe(thumbnailKey);
    expect(await tableEvents(testConfig(), { about: id, type: 'media.processed' })).toHaveLength(1);
  });
});
