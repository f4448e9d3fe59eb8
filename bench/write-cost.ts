/**
 * 5. Write cost and partition spread: what each lifecycle operation writes (table and index
 * write capacity, as DynamoDB Local reports it with `ReturnConsumedCapacity: INDEXES`), and how
 * a burst of uploads into ONE workspace spreads over the index partitions.
 *
 * Everything goes through the real write path in `lib/attachments` (`recordBlobIntent`,
 * `commitAttachment` with `settleIntentWrite`, `recordProcessingFindings`, `dropBlobIntent`,
 * `writeLegalHold`, `markDeleted`, `restoreAttachmentRecord`, `claimForPurge`,
 * `purgeAttachmentRecord`) against the in-memory DynamoDB Local. An upload is metered with its
 * blob intent (put before the file, deleted by the commit transaction), a processing result
 * with its thumbnail's intent (put before the thumbnail, dropped after the record update), as
 * the real paths write them. The partition key of each index write in the burst is the
 * record's own key attribute for that index (built by `lib/db/keys.ts`).
 *
 * Both table layouts (`IndexProjection` in lib/db/table-definition.ts) are measured with the
 * same operations: `all` (every index projects ALL: release 0.1.0, the construct's default) and
 * `lean` (list indexes project only what a list item shows, the due-work queue only its keys).
 * Only `all` runs the burst (a projection changes no key: the spread is the same).
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { Attachment } from '../lib/attachments/model.ts';
import { recordProcessingFindings } from '../lib/attachments/processing-records.ts';
import {
  claimForPurge,
  commitAttachment,
  getAttachment,
  markDeleted,
  purgeAttachmentRecord,
  restoreAttachmentRecord,
  writeLegalHold,
} from '../lib/attachments/records.ts';
import {
  dropBlobIntent,
  recordBlobIntent,
  settleIntentWrite,
} from '../lib/attachments/upload/blob-intents.ts';
import { indexShardsOf, type TableContext } from '../lib/db/client.ts';
import { listIndexKeys, newAttachmentId, purgeQueueKeys } from '../lib/db/keys.ts';
import {
  INDEX_PROJECTIONS,
  type IndexProjection,
  PURGE_INDEX,
  tableDefinition,
  toCreateTableInput,
} from '../lib/db/table-definition.ts';
import { benchAttachment, type Dataset, seedDataset } from './lib/seed.ts';
import { rng, type Stats, summarize } from './lib/stats.ts';
import { WriteMeter, type WriteReading } from './lib/write-meter.ts';

export type Layout = IndexProjection;

export const OPERATIONS = [
  ['upload', 'upload (intent put + commit transaction with the intent delete)'],
  ['process', 'processing result (thumbnail intent put + record update + intent drop)'],
  ['hold-on', 'legal hold on (live)'],
  ['hold-off', 'legal hold off (live)'],
  ['delete', 'delete'],
  ['hold-on-deleted', 'legal hold on (deleted)'],
  ['hold-off-deleted', 'legal hold off (deleted)'],
  ['restore', 'restore'],
  ['purge-claim', 'purge: claim'],
  ['purge-delete', 'purge: delete record'],
] as const;
export type Operation = (typeof OPERATIONS)[number][0];

export interface OperationCost {
  layout: Layout;
  operation: Operation;
  tableWcu: Stats;
  indexWcu: Stats;
  /** Indexes whose entries the operation wrote (put, update or delete). */
  indexesWritten: Stats;
}

export interface PartitionSpread {
  index: string;
  /** Distinct partition keys that took writes. */
  keys: number;
  writes: number;
  /** Largest share of the index's writes on one key. */
  maxShare: number;
  /** `maxShare` × shard count: 1.0 is a perfect spread. */
  maxShareTimesShards: number;
  sharded: boolean;
}

export interface WriteCostResult {
  shards: number;
  operations: OperationCost[];
  burst: { uploads: number; posts: number; seconds: number; spreads: PartitionSpread[] };
}

const HOUR = 3_600_000;
/** Operations in flight during the burst (DynamoDB Local takes a few at once faster). */
const BURST_CONCURRENCY = 4;
const SHARDED_INDEXES = new Set([
  'ByWorkspace',
  'ByWorkspaceAndType',
  'ByProject',
  'ByProjectAndType',
  PURGE_INDEX,
]);

async function createLayoutTable(table: TableContext, layout: Layout): Promise<void> {
  await table.db.send(new CreateTableCommand(toCreateTableInput(table.tableName, layout)));
}

/** Every lifecycle operation once per attachment, metered one by one. */
async function measureOperations(
  table: TableContext,
  meter: WriteMeter,
  layout: Layout,
  dataset: Dataset,
  count: number,
): Promise<OperationCost[]> {
  const readings = new Map<Operation, WriteReading[]>(OPERATIONS.map(([op]) => [op, []]));
  const random = rng(7);
  /** Runs one write, metered; `write` says whether it was applied (a refusal stops the run). */
  const measure = async (operation: Operation, write: () => Promise<boolean>) => {
    meter.reset();
    if (!(await write())) throw new Error(`${operation} was refused`);
    readings.get(operation)?.push(meter.read());
  };
  const current = async (id: string): Promise<Attachment> => {
    const record = await getAttachment(table, id);
    if (!record) throw new Error(`${id} is gone`);
    return record;
  };
  const hold = async (id: string, enabled: boolean, now: number) =>
    (await writeLegalHold(table, await current(id), enabled, now)).outcome === 'written';
  for (let i = 0; i < count; i++) {
    const now = Date.now();
    const attachment = attachmentFor(dataset, random, now, i, indexShardsOf(table));
    const { id } = attachment;
    const file = attachment.storageKey;
    await measure('upload', async () => {
      // As lib/attachments/upload/upload-commit.ts: the intent before the file, settled by the commit.
      await recordBlobIntent(table, { attachmentId: id, blobKey: file, kind: 'upload' }, now);
      return (
        (await commitAttachment(table, attachment, [settleIntentWrite(table, id, file)])) === null
      );
    });
    await measure('process', async () => {
      // As lib/processing/process-media.ts: the intent before the thumbnail, dropped once recorded.
      const thumbnailKey = `thumbnails/2026/01/01/${i}.webp`;
      await recordBlobIntent(
        table,
        { attachmentId: id, blobKey: thumbnailKey, kind: 'thumbnail' },
        now,
      );
      const recorded = await recordProcessingFindings(table, id, { thumbnailKey });
      return recorded !== null && (await dropBlobIntent(table, id, thumbnailKey));
    });
    await measure('hold-on', () => hold(id, true, now));
    await measure('hold-off', () => hold(id, false, now));
    await measure(
      'delete',
      async () => (await markDeleted(table, id, now, now + HOUR)).deleted !== null,
    );
    await measure('hold-on-deleted', () => hold(id, true, now));
    await measure('hold-off-deleted', () => hold(id, false, now));
    await measure(
      'restore',
      async () => (await restoreAttachmentRecord(table, await current(id), now)) !== null,
    );
    // Deleted again, with its grace period over: due for the purge sweep.
    await markDeleted(table, id, now - 2 * HOUR, now - HOUR);
    const claim = { now, run: 'bench' };
    await measure('purge-claim', async () => (await claimForPurge(table, id, claim)) !== null);
    await measure(
      'purge-delete',
      async () => (await purgeAttachmentRecord(table, id, claim)) !== null,
    );
  }
  return OPERATIONS.map(([operation]) => {
    const list = readings.get(operation) ?? [];
    return {
      layout,
      operation,
      tableWcu: summarize(list.map((r) => r.tableWcu)),
      indexWcu: summarize(list.map((r) => sum(Object.values(r.indexWcu)))),
      indexesWritten: summarize(list.map((r) => Object.keys(r.indexWcu).length)),
    };
  });
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** An image into one of the dataset's posts (each post belongs to its project). */
function attachmentFor(
  dataset: Dataset,
  random: () => number,
  createdAt: number,
  i: number,
  shards: number,
): Attachment {
  const posts = [...dataset.publicPostIds, ...dataset.privatePostIds];
  const postId = posts[i % posts.length] as string;
  const projectId = dataset.publicPostIds.includes(postId)
    ? dataset.publicProjectId
    : dataset.privateProjectId;
  return benchAttachment(random, {
    // As an upload draws it (lib/attachments/upload/upload-commit.ts).
    id: newAttachmentId(shards),
    workspaceId: dataset.workspaceId,
    projectId,
    postId,
    uploaderId: dataset.author.id,
    createdAt,
    fileType: 'image',
  });
}

interface Worker {
  table: TableContext;
  meter: WriteMeter;
}

/**
 * A burst of uploads into one workspace (and one project: the worst case), then their
 * processing results and their deletes, one operation per worker at a time (each worker has
 * its own client and meter); writes counted per partition key of every index that took them.
 */
async function replayBurst(
  workers: readonly Worker[],
  dataset: Dataset,
  uploads: number,
): Promise<WriteCostResult['burst']> {
  const shards = indexShardsOf((workers[0] as Worker).table);
  const writes = new Map<string, Map<string, number>>();
  const count = (index: string, key: string) => {
    const byKey = writes.get(index) ?? new Map<string, number>();
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
    writes.set(index, byKey);
  };
  const partitionOf = (attachment: Attachment, index: string, purgeAfter: number): string => {
    if (index === PURGE_INDEX) return purgeQueueKeys(purgeAfter, attachment.id, shards).purgePK;
    const definition = tableDefinition.globalSecondaryIndexes.find((i) => i.indexName === index);
    const keys = listIndexKeys({ ...attachment, projectId: attachment.projectId ?? '' }, shards);
    return String(keys[definition?.partitionKey as keyof typeof keys]);
  };
  // One project only: its partitions take the whole burst, like the workspace's.
  const single = {
    ...dataset,
    publicPostIds: dataset.privatePostIds,
    publicProjectId: dataset.privateProjectId,
  };
  const random = rng(11);
  const started = Date.now();
  const attachments = Array.from({ length: uploads }, (_, i) =>
    attachmentFor(single, random, started + i, i, shards),
  );
  const run = async (
    write: (table: TableContext, attachment: Attachment, i: number) => Promise<unknown>,
    purgeAfter: number,
  ) => {
    let next = 0;
    await Promise.all(
      workers.map(async ({ table, meter }) => {
        for (let i = next++; i < attachments.length; i = next++) {
          const attachment = attachments[i] as Attachment;
          meter.reset();
          await write(table, attachment, i);
          for (const index of Object.keys(meter.read().indexWcu)) {
            count(index, partitionOf(attachment, index, purgeAfter));
          }
        }
      }),
    );
  };
  const now = Date.now();
  await run((table, a) => commitAttachment(table, a), 0);
  await run(
    (table, a, i) =>
      recordProcessingFindings(table, a.id, { thumbnailKey: `thumbnails/x/${i}.webp` }),
    0,
  );
  await run((table, a) => markDeleted(table, a.id, now, now + HOUR), now + HOUR);
  const seconds = (Date.now() - started) / 1000;

  const spreads: PartitionSpread[] = [...writes.entries()].map(([index, byKey]) => {
    const total = sum([...byKey.values()]);
    const maxShare = Math.max(...byKey.values()) / total;
    return {
      index,
      keys: byKey.size,
      writes: total,
      maxShare,
      maxShareTimesShards: maxShare * shards,
      sharded: SHARDED_INDEXES.has(index),
    };
  });
  spreads.sort((a, b) => a.index.localeCompare(b.index));
  return { uploads, posts: dataset.privatePostIds.length, seconds, spreads };
}

const metered = (table: TableContext): Worker => {
  const meter = new WriteMeter();
  meter.install(table.db);
  return { table, meter };
};

export async function measureWriteCost(options: {
  newTable: (tableName: string) => TableContext;
  operationsPerLayout: number;
  burstUploads: number;
  log: (line: string) => void;
}): Promise<WriteCostResult> {
  const operations: OperationCost[] = [];
  let burst: WriteCostResult['burst'] | undefined;
  let shards = 0;
  for (const layout of INDEX_PROJECTIONS) {
    const table = options.newTable(`media-writes-${layout}`);
    shards = indexShardsOf(table);
    const { meter } = metered(table);
    await createLayoutTable(table, layout);
    const dataset = await seedDataset(table, { size: 0, seed: 5, posts: 40 });
    operations.push(
      ...(await measureOperations(table, meter, layout, dataset, options.operationsPerLayout)),
    );
    if (layout === 'all') {
      const workers = Array.from({ length: BURST_CONCURRENCY }, () =>
        metered(options.newTable(table.tableName)),
      );
      burst = await replayBurst(workers, dataset, options.burstUploads);
      for (const worker of workers) worker.table.db.destroy();
      options.log(
        `  burst of ${burst.uploads} uploads (+ processing + delete) in ${burst.seconds.toFixed(0)} s`,
      );
    }
    table.db.destroy();
  }
  if (!burst) throw new Error('no burst');
  return { shards, operations, burst };
}
