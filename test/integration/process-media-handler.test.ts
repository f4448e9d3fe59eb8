/**
 * The `process-media` Lambda handler itself, with the event shapes S3 delivers: EventBridge
 * (the deployed trigger) and S3 notifications (`Records[]`). It runs here on a bucket of its
 * own, configured through the environment like a Lambda (read once, at import).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { testConfig, testS3, testTable } from '../support/stack.ts';
import { tableEvents } from '../support/table-events.ts';

const bucket = `handler-${Date.now().toString(36)}`;
let handler: (event: unknown) => Promise<Array<{ key: string; outcome: string }>>;
let s: Scenario;
// Imported after the environment is set: through lib/config.ts they read it once, at import.
let lib: {
  getAttachment: typeof import('../../lib/attachments/records.ts').getAttachment;
  assertMayUpload: typeof import('../../lib/attachments/upload-commit.ts').assertMayUpload;
  storeAndCommitUpload: typeof import('../../lib/attachments/upload-commit.ts').storeAndCommitUpload;
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
    ...(await import('../../lib/attachments/upload-commit.ts')),
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
    readFileSync(new URL('../fixtures/media/image-1600x900.jpg', import.meta.url)),
  );
}

const keyOf = (url: string) => url.replace('/api/media/', '');

describe('process-media handler', () => {
  it('takes the EventBridge "Object Created" shape', async () => {
    const { id, url } = await uploadedJpeg();
    const result = await handler({
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      time: new Date().toISOString(),
      detail: {
        bucket: { name: bucket },
        object: { key: keyOf(url), size: 1 },
        reason: 'PutObject',
      },
    });
    expect(result).toEqual([{ key: keyOf(url), outcome: 'processed' }]);
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

  it('takes the S3 notification shape, and ignores what is not a stored file', async () => {
    const { id, url } = await uploadedJpeg();
    const record = (key: string, eventName = 'ObjectCreated:Put') => ({
      eventSource: 'aws:s3',
      eventName,
      eventTime: new Date().toISOString(),
      s3: { bucket: { name: bucket }, object: { key } },
    });
    const result = await handler({
      Records: [
        record(keyOf(url)),
        record('thumbnails/2026/01/01/abc-x.webp'),
        record(keyOf(url), 'ObjectRemoved:Delete'),
      ],
    });
    expect(result).toEqual([{ key: keyOf(url), outcome: 'processed' }]);
    expect((await lib.getAttachment(testTable(), id))?.thumbnailKey).toMatch(/^thumbnails\//);
    // A duplicate delivery changes nothing.
    expect(await handler({ Records: [record(keyOf(url))] })).toEqual([
      { key: keyOf(url), outcome: 'nothing_to_do' },
    ]);
    expect(await tableEvents(testConfig(), { about: id, type: 'media.processed' })).toHaveLength(1);
  });
});
