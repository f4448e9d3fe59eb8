/**
 * The sweeps on the real local stores (DynamoDB Local + the local S3 server, a table and a
 * bucket of their own, through the domain functions with injected clients and clocks):
 * - on a data set far larger than one run may handle, every run does bounded work, repeated
 *   runs finish the job, and two runs at once never process one item twice nor lose one;
 * - uploads that crash between their blob and their commit (a DynamoDB client whose commit
 *   throws) leave no orphan once their intent has expired, and committed blobs are kept, also
 *   when the commit happened but its answer was lost; processing runs that die between their
 *   thumbnail and its record likewise.
 */
import {
  DeleteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrphanReport, sweepOrphans } from '../../lib/attachments/lifecycle/orphan-sweep.ts';
import { type PurgeReport, purgeExpired } from '../../lib/attachments/lifecycle/purge-sweep.ts';
import { commitAttachment, getAttachment, markDeleted } from '../../lib/attachments/records.ts';
import type { LifecycleDeps } from '../../lib/attachments/stored-files.ts';
import { INTENT_LIFETIME_MS, recordBlobIntent } from '../../lib/attachments/upload/blob-intents.ts';
import { uploadMedia } from '../../lib/attachments/upload/upload.ts';
import {
  completeUploadSession,
  createUploadSession,
  type UploadSessionDeps,
} from '../../lib/attachments/upload/upload-sessions.ts';
import type { Viewer } from '../../lib/auth/permissions.ts';
import type { TableContext } from '../../lib/db/client.ts';
import {
  blobIntentOfKey,
  dueQueuePartition,
  dueQueueShards,
  keys,
  newAttachmentId,
  shardOf,
} from '../../lib/db/keys.ts';
import { processStoredObject } from '../../lib/processing/process-media.ts';
import type { MediaStore, PurgeOutcome } from '../../lib/storage/media-store.ts';
import { stagingAreaFrom, stagingKeyOf } from '../../lib/storage/staging.ts';
import { attachmentRecord } from '../support/attachments.ts';
import { type IsolatedStores, isolatedStores } from '../support/isolated-stores.ts';
import { mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';

const SHARDS = 8;
const RECORDS = 200;
/** What one run may take: a tenth of the data set. */
const RUN_BOUND = 20;

let stores: IsolatedStores;
let table: TableContext;
let s: Scenario;

beforeAll(async () => {
  stores = await isolatedStores('sweeps');
  table = { ...stores.deps.table, indexShards: SHARDS };
  s = await seedScenario(table);
});

afterAll(async () => {
  await stores?.drop();
});

/** Runs `task` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, task: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(items.slice(i, i + width).map(task));
  }
}

/**
 * `RECORDS` attachments deleted long ago, all due for purge, spread over every shard of the
 * purge queue. Their files are not stored: the purge of each is still asked for (and counted),
 * and the store answers `absent`.
 */
async function dueForPurge(count = RECORDS): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newAttachmentId(SHARDS));
  const deletedAt = Date.now() - 60_000;
  await inBatches(ids, 50, async (id) => {
    const attachment = attachmentRecord({
      id,
      workspaceId: s.workspaceId,
      postId: s.posts.published,
      uploaderId: s.author.id,
    });
    expect(await commitAttachment(table, attachment)).toBeNull();
    await markDeleted(table, id, deletedAt, deletedAt + 1_000);
  });
  expect(new Set(ids.map((id) => shardOf(id, SHARDS))).size).toBe(SHARDS);
  return ids;
}

/** The lifecycle clients on the sharded table, counting `store.purge` per key. */
function countingDeps(): { deps: LifecycleDeps; purges: Map<string, PurgeOutcome[]> } {
  const purges = new Map<string, PurgeOutcome[]>();
  const store: MediaStore = Object.create(stores.deps.store);
  store.purge = async (key) => {
    const outcome = await stores.deps.store.purge(key);
    purges.set(key, [...(purges.get(key) ?? []), outcome]);
    return outcome;
  };
  return { deps: { ...stores.deps, table, store }, purges };
}

const handled = (r: PurgeReport) => r.purged + r.held + r.skipped + r.failed;

describe('purge sweep at scale', () => {
  it('does bounded work per run, and repeated runs purge everything exactly once', async () => {
    const ids = await dueForPurge();
    const { deps, purges } = countingDeps();
    const reports: PurgeReport[] = [];
    for (let run = 0; run < 3 * (RECORDS / RUN_BOUND); run++) {
      const report = await purgeExpired(deps, { maxItems: RUN_BOUND });
      reports.push(report);
      if (!report.more) break;
    }
    for (const report of reports) expect(handled(report)).toBeLessThanOrEqual(RUN_BOUND);
    expect(reports.length).toBeGreaterThanOrEqual(RECORDS / RUN_BOUND);
    expect(reports.at(-1)?.more).toBe(false);
    expect(reports.reduce((sum, r) => sum + r.purged, 0)).toBe(RECORDS);
    expect(reports.reduce((sum, r) => sum + r.failed + r.held, 0)).toBe(0);
    // Every file purged once, and every record gone.
    expect(purges.size).toBe(RECORDS);
    expect([...purges.values()].every((o) => o.length === 1 && o[0] === 'absent')).toBe(true);
    const left = await Promise.all(ids.map((id) => getAttachment(table, id)));
    expect(left.filter((a) => a !== null)).toEqual([]);
  });

  it('two runs at once never purge one attachment twice and lose none', async () => {
    const records = RECORDS / 2;
    const bound = RUN_BOUND / 2;
    const ids = await dueForPurge(records);
    const { deps, purges } = countingDeps();
    let purged = 0;
    for (let round = 0; round < 3 * (records / bound); round++) {
      const pair = await Promise.all([
        purgeExpired(deps, { maxItems: bound }),
        purgeExpired(deps, { maxItems: bound }),
      ]);
      for (const report of pair) expect(handled(report)).toBeLessThanOrEqual(bound);
      purged += pair[0].purged + pair[1].purged;
      if (!pair[0].more && !pair[1].more) break;
    }
    expect(purged).toBe(records);
    expect(purges.size).toBe(records);
    expect([...purges.values()].every((o) => o.length === 1)).toBe(true);
    const left = await Promise.all(ids.map((id) => getAttachment(table, id)));
    expect(left.filter((a) => a !== null)).toEqual([]);
  });
});

const png = mediaBytes('image-64x48.png');
const MAX_UPLOAD = 52_428_800;

/** Every blob intent still in the table, from the due-work queue (whatever its expiry). */
async function intentsLeft(): Promise<Array<{ attachmentId: string; blobKey: string }>> {
  const found: Array<{ attachmentId: string; blobKey: string }> = [];
  for (let shard = 0; shard < dueQueueShards('INTENT', SHARDS); shard++) {
    const { Items = [] } = await table.db.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'ByPurgeAfter',
        KeyConditionExpression: 'purgePK = :pk',
        ExpressionAttributeValues: { ':pk': dueQueuePartition('INTENT', shard) },
      }),
    );
    // The queue projects keys only (lean layout): the intent is named by its table key.
    for (const item of Items) found.push(blobIntentOfKey({ PK: item.PK, SK: item.SK }));
  }
  return found;
}

/** The table, with commands of one type failing: before they are sent, or after they ran. */
function failing(type: abstract new (...args: never[]) => unknown, when: 'before' | 'after') {
  const db: TableContext['db'] = Object.create(table.db);
  db.send = (async (command: unknown) => {
    if (command instanceof type) {
      if (when === 'after') await table.db.send(command as never);
      throw new Error(when === 'before' ? 'process died' : 'socket hang up (answer lost)');
    }
    return table.db.send(command as never);
  }) as TableContext['db']['send'];
  return { ...table, db };
}

/** The table, with a commit (TransactWriteItems) that fails before or after it happened. */
const crashingCommits = (when: 'before' | 'after'): TableContext =>
  failing(TransactWriteCommand, when);

/** Where the bytes of `key` are: served, or not at all (trashed or gone). */
const isLive = (key: string) => stores.deps.store.exists(key);

const sweepAt = (now: number, bounds = {}) =>
  sweepOrphans({ ...stores.deps, table, now: () => now }, bounds);

describe('orphan sweep (upload intents)', () => {
  let author: Viewer;
  beforeAll(() => {
    author = { userId: s.author.id, workspaceId: s.workspaceId, role: 'member' };
  });

  const jsonUpload = (t: TableContext) =>
    uploadMedia({ table: t, store: stores.deps.store, maxUploadBytes: MAX_UPLOAD }, author, {
      postId: s.posts.published,
      fileName: 'f.png',
      mimeType: 'image/png',
      fileData: Buffer.concat([png, Buffer.from(String(Math.random()))]).toString('base64'),
    });

  it('JSON uploads: removes exactly the blobs whose commit never happened, after expiry', async () => {
    const before = new Set((await listKeys()).values());
    const committed = await jsonUpload(table);
    await expect(jsonUpload(crashingCommits('before'))).rejects.toThrow('process died');
    await expect(jsonUpload(crashingCommits('after'))).rejects.toThrow('answer lost');
    const written = (await listKeys()).filter((key) => !before.has(key));
    expect(written).toHaveLength(3); // every blob is still there
    const committedKeys = await committedStorageKeys();
    const orphans = written.filter((key) => !committedKeys.has(key));
    expect(orphans).toHaveLength(1); // the lost answer did commit: only one orphan
    expect(committedKeys.has(urlKey(committed.url))).toBe(true);

    // Only the crashed upload's intent is left: a commit settles its intent in its own
    // transaction, whether or not its answer arrives.
    expect((await intentsLeft()).map((i) => i.blobKey)).toEqual(orphans);
    // Not before the intents expire.
    const early = await sweepAt(Date.now());
    expect(early.removed).toBe(0);
    expect(await Promise.all(written.map(isLive))).toEqual([true, true, true]);

    const report = await sweepAt(Date.now() + INTENT_LIFETIME_MS + 1);
    expect(report).toMatchObject({ removed: 1, committed: 0, failed: 0, more: false });
    for (const key of written) expect(await isLive(key)).toBe(!orphans.includes(key));
    expect(await intentsLeft()).toEqual([]);
  });

  it('upload sessions: a complete that crashes leaves no orphan, the retried one is kept', async () => {
    const deps = (t: TableContext): UploadSessionDeps => ({
      table: t,
      store: stores.deps.store,
      staging: stagingAreaFrom(stores.config),
      maxUploadBytes: MAX_UPLOAD,
      uploadUrlSeconds: 900,
    });
    const session = await createUploadSession(deps(table), author, {
      postId: s.posts.published,
      fileName: 'big.png',
      mimeType: 'image/png',
      fileSize: png.length,
    });
    await stores.deps.store.put(stagingKeyOf(session.uploadId), png, 'image/png');
    const before = new Set(await listKeys());
    await expect(
      completeUploadSession(deps(crashingCommits('before')), author, session.uploadId),
    ).rejects.toThrow('process died');
    const [crashed] = (await listKeys()).filter((key) => !before.has(key));
    expect(crashed).toBeDefined();
    const retried = await completeUploadSession(deps(table), author, session.uploadId);
    expect(retried.statusCode).toBe(201);
    const kept = urlKey(retried.body.url);
    expect(kept).not.toBe(crashed);

    const report = await sweepAt(Date.now() + INTENT_LIFETIME_MS + 1);
    expect(report).toMatchObject({ removed: 1, committed: 0, failed: 0 });
    expect(await isLive(crashed as string)).toBe(false);
    expect(await isLive(kept)).toBe(true);
    expect(await intentsLeft()).toEqual([]);
  });

  it('thumbnails: a run that dies before recording leaves no orphan; a recorded one stays', async () => {
    const crashed = await jsonUpload(table);
    const recorded = await jsonUpload(table);
    const before = new Set(await thumbnailKeys());
    const process = (t: TableContext, key: string) =>
      processStoredObject(
        { table: t, store: stores.deps.store, recordWait: { attempts: 1, delayMs: 0 } },
        { bucket: stores.config.bucketName, key, createdAt: Date.now() },
      );
    // Dies between the thumbnail and the record update.
    await expect(process(failing(UpdateCommand, 'before'), urlKey(crashed.url))).rejects.toThrow(
      'process died',
    );
    // Records its thumbnail, but its intent cannot be dropped (best effort: still processed).
    expect(await process(failing(DeleteCommand, 'before'), urlKey(recorded.url))).toBe('processed');
    const written = (await thumbnailKeys()).filter((key) => !before.has(key));
    expect(written).toHaveLength(2);
    const kept = (await getAttachment(table, recorded.id))?.thumbnailKey as string;
    expect(written).toContain(kept);
    expect(await intentsLeft()).toHaveLength(2);

    const report = await sweepAt(Date.now() + INTENT_LIFETIME_MS + 1);
    expect(report).toMatchObject({ removed: 1, committed: 1, failed: 0 });
    for (const key of written) expect(await isLive(key)).toBe(key === kept);
    expect(await intentsLeft()).toEqual([]);
  });

  it('does bounded work per run; two runs at once settle every intent exactly once', async () => {
    // Expired intents, a tenth of them with a stored blob (the rest crashed before the put).
    const past = Date.now() - INTENT_LIFETIME_MS - 60_000;
    const intents = await Promise.all(
      Array.from({ length: RECORDS }, async (_, i) => {
        const id = newAttachmentId(SHARDS);
        const blobKey = attachmentRecord({
          id,
          workspaceId: '',
          postId: '',
          uploaderId: '',
        }).storageKey;
        await recordBlobIntent(table, { attachmentId: id, blobKey, kind: 'upload' }, past);
        if (i % 10 === 0) await stores.deps.store.put(blobKey, new Uint8Array([1]), 'image/png');
        return blobKey;
      }),
    );
    const softDeletes = new Map<string, number>();
    const store: MediaStore = Object.create(stores.deps.store);
    store.softDelete = async (key) => {
      softDeletes.set(key, (softDeletes.get(key) ?? 0) + 1);
      return stores.deps.store.softDelete(key);
    };
    const run = () => sweepOrphans({ ...stores.deps, table, store }, { maxItems: RUN_BOUND / 2 });
    const reports: OrphanReport[] = [];
    // Runs start on random shards and read one entry per shard per Query (64 intent shards,
    // 10 entries a run): how many rounds it takes varies, so run rounds until every intent is
    // settled; the cap only guards against a sweep that never finishes.
    const removed = () => reports.reduce((sum, r) => sum + r.removed, 0);
    for (let round = 0; removed() < RECORDS && round < RECORDS; round++) {
      const pair = await Promise.all([run(), run()]);
      reports.push(...pair);
      if (!pair[0].more && !pair[1].more) break;
    }
    const work = (r: OrphanReport) =>
      r.removed + r.heldOrphans + r.committed + r.skipped + r.failed;
    for (const report of reports) expect(work(report)).toBeLessThanOrEqual(RUN_BOUND / 2);
    expect(reports.length).toBeGreaterThanOrEqual(RECORDS / (RUN_BOUND / 2));
    expect(removed()).toBe(RECORDS);
    expect(softDeletes.size).toBe(RECORDS);
    expect([...softDeletes.values()].every((n) => n === 1)).toBe(true);
    expect(await Promise.all(intents.filter((_, i) => i % 10 === 0).map(isLive))).not.toContain(
      true,
    );
    expect(await intentsLeft()).toEqual([]);
    // A budget smaller than the shard count still reads every shard: an empty queue is done.
    expect(await run()).toMatchObject({ removed: 0, skipped: 0, failed: 0, more: false });
  });
});

/** Live keys under `uploads/` (or another prefix) in this file's bucket. */
async function listKeys(prefix = 'uploads/'): Promise<string[]> {
  const found: string[] = [];
  for await (const object of stores.deps.store.list(prefix)) found.push(object.key);
  return found;
}

const thumbnailKeys = () => listKeys('thumbnails/');

/** Storage keys of every attachment record in this file's table. */
async function committedStorageKeys(): Promise<Set<string>> {
  const keysFound = new Set<string>();
  for (const key of await listKeys()) {
    const id = `att_${key.split('/').at(-1)?.split('.')[0]}`;
    const { Item } = await table.db.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.attachment(id),
        ConsistentRead: true,
      }),
    );
    if (Item?.storageKey === key) keysFound.add(key);
  }
  return keysFound;
}

/** The storage key behind a file URL (`/api/media/<key>`). */
const urlKey = (url: string): string => url.replace(/^.*\/api\/media\//, '');
