/**
 * The deletion lifecycle end to end on the real local stores (DynamoDB Local + the local S3
 * server), through the domain functions with injected clients and clocks, on a table and a
 * bucket of their own (sweeps act on everything they see):
 * time travel with a short grace period, legal holds against delete and purge, restore of the
 * identical record, the delete/hold and purge/hold races, the storage reconciliation, the local sweeper
 * and the admin CLI's `media legal-hold`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteMedia } from '../../lib/attachments/lifecycle/delete.ts';
import { setMediaLegalHold } from '../../lib/attachments/lifecycle/legal-hold.ts';
import { purgeExpired } from '../../lib/attachments/lifecycle/purge-sweep.ts';
import { restoreMedia } from '../../lib/attachments/lifecycle/restore.ts';
import { reconcileStorage } from '../../lib/attachments/lifecycle/storage-reconciliation.ts';
import { listMedia } from '../../lib/attachments/read/list.ts';
import { getMedia } from '../../lib/attachments/read/read.ts';
import { getAttachment, softDeleteAttachment } from '../../lib/attachments/records.ts';
import { listQuerySchema } from '../../lib/attachments/schemas.ts';
import type { LifecycleDeps } from '../../lib/attachments/stored-files.ts';
import { uploadMedia } from '../../lib/attachments/upload/upload.ts';
import type { Viewer } from '../../lib/auth/permissions.ts';
import { runCli } from '../../lib/cli/main.ts';
import { openMediaTarget, openTarget, resolveTarget } from '../../lib/cli/target.ts';
import { keys } from '../../lib/db/keys.ts';
import { LegalHoldError, NotFoundError } from '../../lib/errors.ts';
import type { MediaStore } from '../../lib/storage/media-store.ts';
import { parseRequest } from '../../lib/validation.ts';
import * as localStores from '../../local/stores.ts';
import { startLocalSweeper } from '../../local/sweeper.ts';
import { type IsolatedStores, isolatedStores } from '../support/isolated-stores.ts';
import { mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';

const png = mediaBytes('image-64x48.png');
const MAX_UPLOAD = 52_428_800;
const DAY = 86_400_000;

let stores: IsolatedStores;
let deps: IsolatedStores['deps'];
let s: Scenario;
let author: Viewer;
let owner: Viewer;

beforeAll(async () => {
  stores = await isolatedStores('lifecycle');
  deps = stores.deps;
  s = await seedScenario(deps.table);
  author = { userId: s.author.id, workspaceId: s.workspaceId, role: 'member' };
  owner = { userId: s.owner.id, workspaceId: s.workspaceId, role: 'owner' };
});

afterAll(async () => {
  await stores?.drop();
});

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const at = (now: number) => ({ ...deps, now: () => now });

/** A file of its own bytes (so sha256 and size differ between uploads). */
async function upload(post = s.posts.published, now?: number) {
  const bytes = Buffer.concat([png, randomBytes(4)]);
  return uploadMedia(
    {
      table: deps.table,
      store: deps.store,
      maxUploadBytes: MAX_UPLOAD,
      ...(now ? { now: () => now } : {}),
    },
    author,
    { postId: post, fileName: 'f.png', mimeType: 'image/png', fileData: bytes.toString('base64') },
  );
}

const del = (id: string, grace: number, d: LifecycleDeps = deps) =>
  deleteMedia({ ...d, gracePeriodSeconds: grace }, author, id);
const holdOn = (id: string, enabled: boolean, d: LifecycleDeps = deps) =>
  setMediaLegalHold(d, owner, id, { enabled });
const record = (id: string) => getAttachment(deps.table, id);
const rawItem = async (id: string) =>
  (
    await deps.table.db.send(
      new GetCommand({
        TableName: deps.table.tableName,
        Key: keys.attachment(id),
        ConsistentRead: true,
      }),
    )
  ).Item;

/** Where the bytes of `key` are: served (live), soft-deleted (trash), or gone. */
async function fileState(store: MediaStore, key: string): Promise<'live' | 'deleted' | 'gone'> {
  if (await store.exists(key)) return 'live';
  // A restore probe that puts it straight back where it was.
  if ((await store.restore(key)) === 'missing') return 'gone';
  await store.softDelete(key);
  return 'deleted';
}

describe('time travel with a short grace period', () => {
  it('a deleted file is kept until the deadline, purged after it, then restore is 404', async () => {
    const a = await upload();
    const storageKey = (await record(a.id))?.storageKey as string;
    const { purgeAfter } = await del(a.id, 2);

    // Before the deadline: at its last millisecond (a clock of its own, so a slow machine
    // cannot reach the deadline first).
    expect((await purgeExpired(at(purgeAfter - 1))).purged).toBe(0);
    expect(await fileState(deps.store, storageKey)).toBe('deleted');
    expect((await record(a.id))?.deletedAt).not.toBeNull();

    await sleep(Math.max(0, purgeAfter - Date.now()) + 100);
    const report = await purgeExpired(deps);
    expect(report.purged).toBeGreaterThanOrEqual(1);
    expect(await record(a.id)).toBeNull();
    expect(await fileState(deps.store, storageKey)).toBe('gone');
    const purged = (await stores.eventsOf('media.purged')).filter(
      (e) => e.data.attachment.id === a.id,
    );
    expect(purged).toMatchObject([
      {
        type: 'media.purged',
        version: 1,
        workspaceId: s.workspaceId,
        data: {
          attachment: { id: a.id, storageKey, deletedAt: expect.any(Number), purgeAfter },
          removedBy: 'purge_sweep',
        },
      },
    ]);
    await expect(restoreMedia(deps, owner, a.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('the record carries a TTL in epoch seconds, never before purgeAfter', async () => {
    const a = await upload();
    const { purgeAfter } = await del(a.id, 7 * 86_400);
    const item = await rawItem(a.id);
    expect(item?.ttl).toBe(Math.ceil(purgeAfter / 1000));
    expect(item?.ttl * 1000).toBeGreaterThanOrEqual(purgeAfter);
    expect(item?.listSK).toBeUndefined();
  });

  it('restore within the grace period gives back the identical record and list position', async () => {
    const base = Date.now() - 10_000;
    const post = s.posts.private; // its own list
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await upload(post, base + i));
    const middle = created[1] as { id: string };
    const query = parseRequest(listQuerySchema, { postId: post });
    const listBefore = await listMedia(deps.table, owner, query);
    const itemBefore = await rawItem(middle.id);
    const detailBefore = await getMedia(deps.table, owner, middle.id);

    const { purgeAfter } = await del(middle.id, 60);
    expect((await listMedia(deps.table, owner, query)).items).toHaveLength(2);
    const restored = await restoreMedia(at(purgeAfter - 1_000), owner, middle.id);

    expect(restored).toEqual(detailBefore);
    // Every attribute, listSK included; only the time of the last change moved on.
    const { changedAt, ...itemAfter } = (await rawItem(middle.id)) ?? {};
    expect(itemAfter).toEqual(itemBefore);
    expect(changedAt).toBeGreaterThan(0);
    expect(await listMedia(deps.table, owner, query)).toEqual(listBefore);
    const restoredEvents = (await stores.eventsOf('media.restored')).filter(
      (e) => e.data.attachment.id === middle.id,
    );
    expect(restoredEvents).toHaveLength(1);
  });
});

describe('legal holds', () => {
  it('a held file survives delete (409, nothing changes) and any purge', async () => {
    const a = await upload();
    const key = (await record(a.id))?.storageKey as string;
    await holdOn(a.id, true);
    await expect(del(a.id, 1)).rejects.toBeInstanceOf(LegalHoldError);
    expect((await record(a.id))?.deletedAt).toBeNull();
    expect(await deps.store.isLegallyHeld(key)).toBe(true);
    await purgeExpired(at(Date.now() + 365 * DAY));
    expect(await fileState(deps.store, key)).toBe('live');
    await holdOn(a.id, false);
    expect(await deps.store.isLegallyHeld(key)).toBe(false);
  });

  it('a deleted-then-held file survives its grace period until the hold is lifted', async () => {
    const a = await upload();
    const key = (await record(a.id))?.storageKey as string;
    // A grace period the hold below surely falls into, however busy the machine.
    const { purgeAfter } = await del(a.id, 3600);
    const held = await holdOn(a.id, true);
    expect(held.legalHold).toBe(true);
    const item = await rawItem(a.id);
    expect(item?.ttl).toBeUndefined(); // off TTL
    expect(item?.purgeSK).toBeUndefined(); // out of the purge queue

    const later = purgeAfter + 30 * DAY;
    await purgeExpired(at(later));
    expect((await record(a.id))?.legalHold).toBe(true);
    expect(await fileState(deps.store, key)).toBe('deleted');
    expect(await deps.store.purge(key)).toBe('held'); // storage refuses on its own too

    await holdOn(a.id, false, at(later));
    expect((await rawItem(a.id))?.ttl).toBe(Math.ceil(purgeAfter / 1000)); // due again
    const report = await purgeExpired(at(later));
    expect(report.purged).toBeGreaterThanOrEqual(1);
    expect(await record(a.id)).toBeNull();
    expect(await fileState(deps.store, key)).toBe('gone');
  });

  it('storage is held before the record says so, and released only after it stops saying so', async () => {
    const a = await upload();
    const seen: Array<{ on: boolean; recordHeld: boolean | undefined }> = [];
    const spy: MediaStore = Object.create(deps.store);
    spy.setLegalHold = async (key: string, on: boolean) => {
      seen.push({ on, recordHeld: (await record(a.id))?.legalHold });
      return deps.store.setLegalHold(key, on);
    };
    await holdOn(a.id, true, { ...deps, store: spy });
    expect(seen[0]).toEqual({ on: true, recordHeld: false });
    expect(seen.at(-1)).toEqual({ on: true, recordHeld: true });
    seen.length = 0;
    await holdOn(a.id, false, { ...deps, store: spy });
    expect(seen[0]).toEqual({ on: false, recordHeld: false });
    expect(seen.filter((c) => c.on)).toEqual([]);
  });

  it('publishes legal_hold_changed on each change, not on a repeat', async () => {
    const a = await upload();
    const changes = async () =>
      (await stores.eventsOf('media.legal_hold_changed')).filter(
        (e) => e.data.attachment.id === a.id,
      );
    await holdOn(a.id, true);
    await holdOn(a.id, true);
    await holdOn(a.id, false);
    expect((await changes()).map((e) => (e.data as { legalHold: boolean }).legalHold)).toEqual([
      true,
      false,
    ]);
  });

  it('a purge that finds a storage hold the record lacks removes nothing', async () => {
    const a = await upload();
    const key = (await record(a.id))?.storageKey as string;
    const { purgeAfter } = await del(a.id, 1);
    await deps.store.setLegalHold(key, true); // storage held, record not (e.g. a crashed "off")
    const report = await purgeExpired(at(purgeAfter + 1));
    expect(report.held).toBeGreaterThanOrEqual(1);
    expect(await record(a.id)).not.toBeNull();
    expect(await fileState(deps.store, key)).toBe('deleted');
    await deps.store.setLegalHold(key, false);
    await purgeExpired(at(purgeAfter + 1));
    expect(await record(a.id)).toBeNull();
  });
});

describe('thumbnails', () => {
  it('follow their attachment: held, deleted, restored and purged with it', async () => {
    const a = await upload();
    const file = (await record(a.id))?.storageKey as string;
    const thumb = `thumbnails/2026/01/01/${a.id.slice(4)}-t1.webp`;
    await deps.store.put(thumb, new Uint8Array([9]), 'image/webp');
    await deps.table.db.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: keys.attachment(a.id),
        UpdateExpression: 'SET thumbnailKey = :t',
        ExpressionAttributeValues: { ':t': thumb },
      }),
    );
    await holdOn(a.id, true);
    expect(await deps.store.isLegallyHeld(thumb)).toBe(true);
    await holdOn(a.id, false);
    expect(await deps.store.isLegallyHeld(thumb)).toBe(false);

    const { purgeAfter } = await del(a.id, 60);
    expect(await fileState(deps.store, thumb)).toBe('deleted');
    await restoreMedia(deps, owner, a.id);
    expect(await fileState(deps.store, thumb)).toBe('live');
    expect(await fileState(deps.store, file)).toBe('live');

    const again = await del(a.id, 60);
    await purgeExpired(at(again.purgeAfter + 1));
    expect(purgeAfter).toBeLessThanOrEqual(again.purgeAfter);
    expect(await fileState(deps.store, thumb)).toBe('gone');
    expect(await fileState(deps.store, file)).toBe('gone');
  });
});

describe('races', () => {
  /** Staggered starts, so that every interleaving of the two requests' steps comes up. */
  const STAGGER_MS = [0, 0, 5, 10, 15, 20, 30, 40, 60, 80, 150, 300];
  const later = (ms: number, task: () => Promise<unknown>) => sleep(ms).then(task);
  /**
   * The staggers, again (up to 4 passes), until both orders have come up: how the steps
   * interleave depends on how busy the machine is, so the work is bounded by a number of
   * rounds, not by the hope that one pass shows both.
   */
  function* staggersUntilBoth(outcomes: Set<string>) {
    for (let pass = 0; pass < 4 && (pass === 0 || outcomes.size < 2); pass++) yield* STAGGER_MS;
  }

  it('a delete racing a hold never answers 200 for an attachment held when it committed', async () => {
    const outcomes = new Set<string>();
    for (const stagger of staggersUntilBoth(outcomes)) {
      const a = await upload();
      const key = (await record(a.id))?.storageKey as string;
      const [deleted, held] = await Promise.allSettled([
        later(stagger, () => del(a.id, 3600)),
        holdOn(a.id, true),
      ]);
      outcomes.add(deleted.status);
      expect(held.status).toBe('fulfilled'); // a hold works on live and on deleted-in-grace
      const now = await rawItem(a.id);
      expect(now?.legalHold).toBe(true);
      if (deleted.status === 'fulfilled') {
        // The delete committed first; the hold then applied to the deleted attachment.
        expect(now?.deletedAt).toBeTypeOf('number');
        expect(now?.ttl).toBeUndefined();
        expect(now?.purgeSK).toBeUndefined();
        expect(await fileState(deps.store, key)).toBe('deleted');
      } else {
        // The hold committed first: the delete was refused and changed nothing.
        expect(deleted.reason).toBeInstanceOf(LegalHoldError);
        expect(now?.deletedAt).toBeUndefined();
        expect(now?.listSK).toBeTypeOf('string');
        expect(await fileState(deps.store, key)).toBe('live');
      }
      expect(await deps.store.isLegallyHeld(key)).toBe(true);
      // Whatever the order, nothing held is ever purged.
      await purgeExpired(at(Date.now() + 30 * DAY));
      expect(await record(a.id)).not.toBeNull();
      expect(await fileState(deps.store, key)).not.toBe('gone');
    }
    expect([...outcomes].sort()).toEqual(['fulfilled', 'rejected']); // both orders happened
  });

  it('a purge racing a hold at the deadline: if the hold answers 200, the file is kept', async () => {
    const outcomes = new Set<string>();
    for (const stagger of staggersUntilBoth(outcomes)) {
      const a = await upload();
      const key = (await record(a.id))?.storageKey as string;
      const { purgeAfter } = await del(a.id, 60);
      const [held] = await Promise.allSettled([
        holdOn(a.id, true, at(purgeAfter - 1)),
        later(stagger, () => purgeExpired(at(purgeAfter + 1))),
      ]);
      outcomes.add(held.status);
      const after = await record(a.id);
      if (held.status === 'fulfilled') {
        expect(after?.legalHold).toBe(true);
        expect(await fileState(deps.store, key)).toBe('deleted');
        expect(await deps.store.isLegallyHeld(key)).toBe(true);
      } else {
        // The purge claimed it first. The refused hold let go of its storage hold, and the
        // purge completes (now, or on its next run if it met that short-lived hold).
        expect(held.reason).toBeInstanceOf(NotFoundError);
        expect(after?.legalHold ?? false).toBe(false);
        expect(await deps.store.isLegallyHeld(key)).toBe(false);
        await purgeExpired(at(purgeAfter + 1));
        expect(await record(a.id)).toBeNull();
        expect(await fileState(deps.store, key)).toBe('gone');
      }
    }
    expect([...outcomes].sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('hold on/off requests racing each other leave storage at least as held as the record', async () => {
    for (let round = 0; round < 8; round++) {
      const a = await upload();
      const key = (await record(a.id))?.storageKey as string;
      await del(a.id, 60); // a deleted file: the case where a missing storage hold loses data
      await Promise.all([
        holdOn(a.id, true),
        holdOn(a.id, false),
        holdOn(a.id, true),
        holdOn(a.id, false),
      ]);
      if ((await record(a.id))?.legalHold) {
        expect(await deps.store.isLegallyHeld(key)).toBe(true);
      }
    }
  });
});

describe('delete failure order', () => {
  it('answers 200 when the storage step fails; the storage reconciliation finishes the soft delete', async () => {
    const a = await upload();
    const key = (await record(a.id))?.storageKey as string;
    const failing: MediaStore = Object.create(deps.store);
    failing.softDelete = async () => {
      throw new Error('S3 unavailable');
    };
    const result = await del(a.id, 3600, { ...deps, store: failing });
    expect(result).toMatchObject({ id: a.id, deleted: true });
    expect(await fileState(deps.store, key)).toBe('live'); // not served: the record is deleted
    await expect(getMedia(deps.table, owner, a.id)).rejects.toBeInstanceOf(NotFoundError);

    const report = await reconcileStorage({ ...at(Date.now() + DAY), minAgeSeconds: 3600 });
    expect(report.softDeleted).toContain(key);
    expect(await fileState(deps.store, key)).toBe('deleted');
    expect((await restoreMedia(deps, owner, a.id)).id).toBe(a.id);
  });

  it('a file a failed delete left live is purged with its record, no reconciliation needed', async () => {
    const a = await upload();
    const key = (await record(a.id))?.storageKey as string;
    const failing: MediaStore = Object.create(deps.store);
    failing.softDelete = async () => {
      throw new Error('S3 unavailable');
    };
    const { purgeAfter } = await del(a.id, 1, { ...deps, store: failing });
    expect(await fileState(deps.store, key)).toBe('live');
    await purgeExpired(at(purgeAfter + 1));
    expect(await record(a.id)).toBeNull();
    expect(await fileState(deps.store, key)).toBe('gone');
  });
});

describe('storage reconciliation (optional job)', () => {
  it('removes only true orphans and repairs or reports records without a live file', async () => {
    const { store } = deps;
    const put = async (key: string) => store.put(key, new Uint8Array([1, 2]), 'image/png');
    const uniq = () => randomBytes(8).toString('hex').replace(/^/, 'z');

    const orphan = `uploads/2026/01/01/${uniq()}.png`;
    const orphanThumb = `thumbnails/2026/01/01/${uniq()}.webp`;
    const heldOrphan = `uploads/2026/01/01/${uniq()}.png`;
    await put(orphan);
    await put(orphanThumb);
    await put(heldOrphan);
    await store.setLegalHold(heldOrphan, true);

    const live = await upload();
    const liveKey = (await record(live.id))?.storageKey as string;
    const inGrace = await upload();
    const inGraceKey = (await record(inGrace.id))?.storageKey as string;
    await del(inGrace.id, 3600);
    const held = await upload();
    const heldKey = (await record(held.id))?.storageKey as string;
    await holdOn(held.id, true);
    // A live record whose file went behind a delete (a delete racing the restore).
    const hidden = await upload();
    const hiddenKey = (await record(hidden.id))?.storageKey as string;
    await store.softDelete(hiddenKey);
    // A live record whose file is gone for good.
    const lost = await upload();
    const lostKey = (await record(lost.id))?.storageKey as string;
    await store.remove(lostKey);
    // A deleted record whose file was never soft-deleted.
    const leftover = await upload();
    const leftoverKey = (await record(leftover.id))?.storageKey as string;
    const gone = Date.now();
    await softDeleteAttachment(deps.table, leftover.id, gone, gone + 3_600_000);

    // Within the safety window nothing is judged.
    const early = await reconcileStorage({ ...deps, minAgeSeconds: 3600 });
    expect(early.removed).toEqual([]);
    expect(await fileState(store, orphan)).toBe('live');

    const report = await reconcileStorage({
      ...at(Date.now() + 2 * 3_600_000),
      minAgeSeconds: 3600,
    });
    expect(report.removed.sort()).toEqual([orphan, orphanThumb].sort());
    expect(await fileState(store, orphan)).toBe('gone');
    expect(await fileState(store, orphanThumb)).toBe('gone');
    expect(report.heldOrphans).toEqual([heldOrphan]);
    expect(await fileState(store, heldOrphan)).toBe('live');
    expect(report.softDeleted).toEqual([leftoverKey]);
    expect(await fileState(store, leftoverKey)).toBe('deleted');
    expect(report.restored).toEqual([hiddenKey]);
    expect(await fileState(store, hiddenKey)).toBe('live');
    expect(report.missing).toEqual([{ attachmentId: lost.id, key: lostKey }]);
    expect(
      deps.events.of('media.blob_missing').find((e) => e.data.attachment.id === lost.id)?.data,
    ).toMatchObject({ missingKeys: [lostKey] });

    // Untouched: committed, in grace, held.
    expect(await fileState(store, liveKey)).toBe('live');
    expect(await fileState(store, inGraceKey)).toBe('deleted');
    expect(await fileState(store, heldKey)).toBe('live');
    expect((await restoreMedia(deps, owner, inGrace.id)).id).toBe(inGrace.id);

    await store.setLegalHold(heldOrphan, false);
  });
});

describe('local sweeper', () => {
  it('purges on its timer once the grace period is over, never before', async () => {
    const sweeper = startLocalSweeper({
      config: { ...stores.config, gracePeriodSeconds: 1 },
      deps,
      intervalMs: 150,
      orphanIntervalMs: 3_600_000,
    });
    try {
      const a = await upload();
      const key = (await record(a.id))?.storageKey as string;
      const { purgeAfter } = await del(a.id, 1);
      await sleep(300);
      if (Date.now() < purgeAfter) expect(await record(a.id)).not.toBeNull();
      const deadline = Date.now() + 120_000; // a backstop against a hang, not a time limit
      while ((await record(a.id)) && Date.now() < deadline) await sleep(100);
      expect(await record(a.id)).toBeNull();
      expect(Date.now()).toBeGreaterThanOrEqual(purgeAfter);
      expect(await fileState(deps.store, key)).toBe('gone');
    } finally {
      await sweeper.stop();
    }
  });
});

describe('admin CLI: media legal-hold', () => {
  const run = async (argv: string[], env: Record<string, string>, dataDir: string) => {
    let stdout = '';
    let stderr = '';
    const config = { ...stores.config, dataDir };
    const code = await runCli(
      argv,
      { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
      {
        openTable: () => openTarget(resolveTarget(env, config), localStores),
        openMedia: () => openMediaTarget(resolveTarget(env, config), env, localStores),
      },
    );
    return { code, stdout, stderr };
  };

  it('holds and releases record and file, one event per change, fails on an unknown id', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-events-'));
    try {
      const env = {
        DYNAMODB_ENDPOINT: stores.config.dynamoEndpoint as string,
        S3_ENDPOINT: stores.config.s3Endpoint as string,
      };
      const a = await upload();
      const key = (await record(a.id))?.storageKey as string;

      expect(await run(['media', 'legal-hold', '--id', a.id, '--on'], env, dataDir)).toEqual({
        code: 0,
        stdout: '{"ok":true}\n',
        stderr: '',
      });
      expect((await record(a.id))?.legalHold).toBe(true);
      expect(await deps.store.isLegallyHeld(key)).toBe(true);
      await expect(del(a.id, 60)).rejects.toBeInstanceOf(LegalHoldError);

      expect((await run(['media', 'legal-hold', '--id', a.id, '--off'], env, dataDir)).code).toBe(
        0,
      );
      expect((await record(a.id))?.legalHold).toBe(false);
      expect(await deps.store.isLegallyHeld(key)).toBe(false);

      // The CLI publishes nothing itself: its writes are in the table's change stream.
      const changes = (await stores.eventsOf('media.legal_hold_changed')).filter(
        (e) => e.data.attachment.id === a.id,
      );
      expect(changes.map((e) => (e.data as { legalHold: boolean }).legalHold)).toEqual([
        true,
        false,
      ]);

      const unknown = await run(['media', 'legal-hold', '--id', 'att_nope', '--on'], env, dataDir);
      expect(unknown.code).toBe(1);
      expect(unknown.stdout).toBe('');
      expect(unknown.stderr).toBe('admin: Attachment att_nope was not found.\n');

      const noS3 = await run(
        ['media', 'legal-hold', '--id', a.id, '--on'],
        { DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT },
        dataDir,
      );
      expect(noS3.code).toBe(1);
      expect(noS3.stderr).toMatch(/needs S3_ENDPOINT/);
      expect((await record(a.id))?.legalHold).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
