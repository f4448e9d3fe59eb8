/**
 * The poller that stands in for storage events when `npm start` uses an external store: what
 * was there at start is not reported, every object created since is reported once, in the S3
 * notification shape the processing accepts. (On a real store: test/gateway/npm-start-aws-mode.)
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createdMediaObjects } from '../../../lib/processing/storage-events.ts';
import { startStoragePoller } from '../../../local/storage-poller.ts';

const s3 = new S3Client({ region: 'us-east-1' });
const mock = mockClient(s3);
afterEach(() => mock.reset());

const object = (key: string) => ({ Key: key, Size: 3, LastModified: new Date(1_000) });

describe('startStoragePoller', () => {
  it('reports each object created after the start once, as an S3 notification', async () => {
    mock
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [object('uploads/old.png')] })
      .resolves({ Contents: [object('uploads/old.png'), object('uploads/new.png')] });
    const received: unknown[] = [];
    const poller = await startStoragePoller({
      s3,
      bucketName: 'media',
      intervalMs: 5,
      onNotification: (n) => received.push(n),
    });
    while (mock.commandCalls(ListObjectsV2Command).length < 4) {
      await new Promise((done) => setTimeout(done, 5));
    }
    await poller.stop();
    expect(received).toHaveLength(1);
    expect(createdMediaObjects(received[0], 'media')).toEqual([
      { bucket: 'media', key: 'uploads/new.png', createdAt: 1_000 },
    ]);
    expect(mock.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toMatchObject({
      Bucket: 'media',
      Prefix: 'uploads/',
    });
  });
});
