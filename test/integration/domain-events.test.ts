/**
 * Events that cannot be lost (issue 11): every committed change is exactly one line of
 * `${DATA_DIR}/events.ndjson` (by event id), and a refused write is none.
 *
 * The first part goes through the running stack as `npm start` runs it: the real handlers over
 * HTTP, the stack's stream consumer, the stack's events file. The second part runs a stream
 * consumer of its own on a table and data directory of its own, for what needs time travel or
 * restarts: the purge sweep, TTL (locally `local/ttl-reaper.ts`), and restarts that must not
 * duplicate a line.
 * Waiting is bounded by a number of polls, never asserted as a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteMedia } from '../../lib/attachments/lifecycle/delete.ts';
import { purgeExpired } from '../../lib/attachments/lifecycle/purge-sweep.ts';
import { uploadMedia } from '../../lib/attachments/upload/upload.ts';
import type { Viewer } from '../../lib/auth/permissions.ts';
import { LOCAL_CREDENTIALS } from '../../lib/db/client.ts';
import type { DomainEvent, EventType } from '../../lib/events/domain-events.ts';
import { shardsOf, streamArnOf } from '../../lib/events/table-stream.ts';
import { type LocalStreamEvents, startStreamEvents } from '../../local/stream-events.ts';
import { reapExpired } from '../../local/ttl-reaper.ts';
import { eventsAbout, eventsFile, waitForEvents } from '../support/events.ts';
import { type IsolatedStores, isolatedStores } from '../support/isolated-stores.ts';
import { mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testTable } from '../support/stack.ts';

const png = mediaBytes('image-64x48.png');

/** How often each event id occurs in an events file. */
async function idCounts(file: string): Promise<Map<string, number>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const counts = new Map<string, number>();
  for (const line of text.split('\n').filter(Boolean)) {
    const { id } = JSON.parse(line) as DomainEvent;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('npm start: the stack’s events file', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await seedScenario(testTable());
  });

  const uploadAs = (key: string, postId: string) =>
    api('/api/v1/media', {
      method: 'POST',
      key,
      body: {
        postId,
        fileName: 'photo.png',
        mimeType: 'image/png',
        fileData: Buffer.concat([png, randomBytes(4)]).toString('base64'),
      },
    });
  const hold = (key: string, id: string, enabled: boolean) =>
    api(`/api/v1/media/${id}/legal-hold`, { method: 'PUT', key, body: { enabled } });
  const remove = (key: string, id: string) => api(`/api/v1/media/${id}`, { method: 'DELETE', key });
  const restore = (key: string, id: string) =>
    api(`/api/v1/media/${id}/restore`, { method: 'POST', key });

  it('each committed change is one line, each refused request none', async () => {
    // Refused: a member uploading to a post they do not author.
    expect((await uploadAs(s.member.key, s.posts.published)).status).toBe(403);
    const upload = await uploadAs(s.author.key, s.posts.published);
    expect(upload.status).toBe(201);
    const id = upload.json.id as string;
    await waitForEvents(id, 'media.processed');

    expect((await hold(s.owner.key, id, true)).status).toBe(200);
    expect((await hold(s.owner.key, id, true)).status).toBe(200); // no change: no event
    expect((await hold(s.author.key, id, false)).status).toBe(403); // not an owner/admin
    expect((await remove(s.author.key, id)).status).toBe(409); // held
    expect((await hold(s.owner.key, id, false)).status).toBe(200);
    expect((await remove(s.member.key, id)).status).toBe(403); // not the author
    expect((await restore(s.owner.key, id)).status).toBe(404); // not deleted
    expect((await remove(s.author.key, id)).status).toBe(200);
    expect((await remove(s.author.key, id)).status).toBe(404); // deleted already
    expect((await restore(s.owner.key, id)).status).toBe(200);

    // Records of one item are read in commit order: once the last is in, all before it are.
    await waitForEvents(id, 'media.restored');
    const events = await eventsAbout(id);
    expect(events.map((e) => [e.type, (e.data as { legalHold?: boolean }).legalHold])).toEqual([
      ['media.uploaded', undefined],
      ['media.processed', undefined],
      ['media.legal_hold_changed', true],
      ['media.legal_hold_changed', false],
      ['media.deleted', undefined],
      ['media.restored', undefined],
    ]);
    const counts = await idCounts(eventsFile());
    for (const event of events) expect(counts.get(event.id)).toBe(1);
    // The refused upload committed nothing: the post has exactly the one upload's event.
    const uploadsToPost = (await eventsAbout(id, 'media.uploaded')).length;
    const all = (await readFile(eventsFile(), 'utf8')).split('\n').filter(Boolean);
    const forPost = all
      .map((line) => JSON.parse(line) as DomainEvent)
      .filter((e) => e.type === 'media.uploaded' && e.data.attachment.postId === s.posts.published);
    expect(forPost).toHaveLength(uploadsToPost);
  });
});

describe('a stream consumer of its own: purges, TTL, restarts', () => {
  let stores: IsolatedStores;
  let s: Scenario;
  let author: Viewer;
  let dataDir: string;
  let consumer: LocalStreamEvents | undefined;

  beforeAll(async () => {
    stores = await isolatedStores('events');
    s = await seedScenario(stores.deps.table);
    author = { userId: s.author.id, workspaceId: s.workspaceId, role: 'member' };
    dataDir = await mkdtemp(join(tmpdir(), 'stream-events-'));
  });
  afterAll(async () => {
    await consumer?.stop();
    await stores?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = () => {
    consumer = startStreamEvents({
      dynamoEndpoint: stores.config.dynamoEndpoint as string,
      tableName: stores.config.tableName,
      dataDir,
    });
    return consumer;
  };
  const file = () => join(dataDir, 'events.ndjson');
  const about = (id: string, type?: EventType) => eventsAbout(id, type, file());
  const upload = async () =>
    uploadMedia({ ...stores.deps, maxUploadBytes: 1 << 20 }, author, {
      postId: s.posts.published,
      fileName: 'f.png',
      mimeType: 'image/png',
      fileData: Buffer.concat([png, randomBytes(4)]).toString('base64'),
    });
  const del = (id: string, graceSeconds: number) =>
    deleteMedia({ ...stores.deps, gracePeriodSeconds: graceSeconds }, author, id);

  /** The attachment's whole history in the file: uploaded, deleted, purged once by `by`. */
  const expectPurgedOnce = async (id: string, purgeAfter: number, by: 'purge_sweep' | 'ttl') => {
    await (consumer ?? start()).flush();
    expect((await about(id)).map((e) => e.type)).toEqual([
      'media.uploaded',
      'media.deleted',
      'media.purged',
    ]);
    expect((await about(id, 'media.purged'))[0]?.data).toMatchObject({
      removedBy: by,
      attachment: { id, purgeAfter },
    });
  };

  it('a purge by the sweep: one media.purged, removed by the sweep', async () => {
    start();
    const { id } = await upload();
    const { purgeAfter } = await del(id, 60);
    const report = await purgeExpired({ ...stores.deps, now: () => purgeAfter + 1 });
    expect(report.purged).toBe(1);
    await expectPurgedOnce(id, purgeAfter, 'purge_sweep');
  });

  it('a purge by TTL (no sweep ran): one media.purged, removed by ttl', async () => {
    const { id } = await upload();
    const { purgeAfter } = await del(id, 3600);
    // No sweep gets to it: DynamoDB's TTL (locally its stand-in, the reaper) removes it.
    expect(await reapExpired(stores.deps.table, purgeAfter - 1000)).toBe(0);
    expect(await reapExpired(stores.deps.table, purgeAfter + 1000)).toBe(1);
    await expectPurgedOnce(id, purgeAfter, 'ttl');
  });

  it('polls cheaply: the stream described once, then one GetRecords per shard and poll', async () => {
    const calls = new Map<string, number>();
    /** Counts each command a client sends, by name. */
    const counted = <T extends DynamoDBClient | DynamoDBStreamsClient>(client: T): T => {
      const stack = client.middlewareStack as unknown as {
        add(middleware: unknown, options: { step: 'initialize' }): void;
      };
      stack.add(
        (next: (args: unknown) => Promise<unknown>, context: { commandName: string }) =>
          (args: unknown) => {
            calls.set(context.commandName, (calls.get(context.commandName) ?? 0) + 1);
            return next(args);
          },
        { step: 'initialize' },
      );
      return client;
    };
    const clientOptions = {
      endpoint: stores.config.dynamoEndpoint as string,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    };
    const dynamo = counted(new DynamoDBClient(clientOptions));
    const streams = counted(new DynamoDBStreamsClient(clientOptions));
    const ownDir = await mkdtemp(join(tmpdir(), 'stream-polls-'));
    // Polls only when flushed (the timers wait an hour), so the count is the flushes'.
    const own = startStreamEvents({
      dynamoEndpoint: clientOptions.endpoint,
      tableName: stores.config.tableName,
      dataDir: ownDir,
      pollIntervalMs: 3_600_000,
      clients: { dynamo, streams },
    });
    try {
      const { id } = await upload();
      await own.flush();
      expect(calls.get('DescribeStreamCommand')).toBe(1);
      const before = new Map(calls);
      const polls = 5;
      for (let i = 0; i < polls; i++) await own.flush();
      const { length: shardCount } = await shardsOf(
        streams,
        (await streamArnOf(dynamo, stores.config.tableName)) as string,
      );
      const delta = (name: string) => (calls.get(name) ?? 0) - (before.get(name) ?? 0);
      // Neither the table nor the stream is described again while nothing changes shape.
      expect(delta('DescribeStreamCommand')).toBe(1); // the one just above
      expect(delta('DescribeTableCommand')).toBe(1); // the one just above
      expect(delta('GetShardIteratorCommand')).toBe(0);
      // Each flush waits for at most two polls; each poll reads each shard once.
      expect(delta('GetRecordsCommand')).toBeLessThanOrEqual(2 * polls * shardCount);
      expect((await eventsAbout(id, undefined, join(ownDir, 'events.ndjson'))).length).toBe(1);
    } finally {
      await own.stop();
      dynamo.destroy();
      streams.destroy();
      await rm(ownDir, { recursive: true, force: true });
    }
  });

  it('restarts continue where they stopped, without a duplicate line', async () => {
    const first = consumer ?? start();
    const { id } = await upload();
    await first.flush();
    await first.stop();
    consumer = undefined;
    const before = await idCounts(file());

    // Changes while no consumer runs are appended after the restart, once.
    await del(id, 3600);
    const second = start();
    await second.flush();
    expect((await about(id)).map((e) => e.type)).toEqual(['media.uploaded', 'media.deleted']);

    // Even with its saved positions lost, a restart re-reads the stream and adds nothing.
    await second.stop();
    await rm(join(dataDir, 'events-stream.json'));
    const third = start();
    await third.flush();
    const after = await idCounts(file());
    expect([...after.values()].every((count) => count === 1)).toBe(true);
    expect(after.size).toBe(before.size + 1);
  });
});
