/**
 * The sweeps on a data set far larger than one run may handle, on the real local stores
 * (DynamoDB Local + the local S3 server, a table and a bucket of their own): every run does
 * bounded work, repeated runs finish the job, and two runs at once never process one item
 * twice nor lose one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PurgeReport, purgeExpired } from '../../lib/attachments/purge-sweep.ts';
import { commitAttachment, getAttachment, markDeleted } from '../../lib/attachments/records.ts';
import type { LifecycleDeps } from '../../lib/attachments/stored-files.ts';
import type { TableContext } from '../../lib/db/client.ts';
import { newAttachmentId, shardOf } from '../../lib/db/keys.ts';
import type { MediaStore, PurgeOutcome } from '../../lib/storage/media-store.ts';
import { attachmentRecord } from '../support/attachments.ts';
import { type IsolatedStores, isolatedStores } from '../support/isolated-stores.ts';
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
