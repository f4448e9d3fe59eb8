/**
 * `PortableMediaStore` (portable mode, the local stack's store) on the local S3 server: the shared
 * `MediaStore` contract, then how it keeps the lifecycle in key space.
 */
import { randomBytes } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOLD_PREFIX, TRASH_PREFIX } from '../../lib/storage/portable-media-store.ts';
import { createS3Client } from '../../lib/storage/s3-client.ts';
import { type IsolatedStores, isolatedStores } from '../support/isolated-stores.ts';
import { mediaStoreContract } from '../support/media-store-contract.ts';

let stores: IsolatedStores;

beforeAll(async () => {
  stores = await isolatedStores('store');
});
afterAll(async () => {
  await stores?.drop();
});

const freshKey = () => `uploads/2026/01/01/${randomBytes(6).toString('hex')}.png`;

mediaStoreContract('PortableMediaStore on the local S3 server', {
  store: () => stores.deps.store,
  freshKey,
  purgeAnswer: 'purged',
  expireSoftDeleted: async (key) => {
    await stores.deps.store.purge(key);
  },
});

describe('PortableMediaStore: the lifecycle in key space', () => {
  const raw = () => createS3Client(stores.config);
  const present = async (key: string) => {
    try {
      await raw().send(new HeadObjectCommand({ Bucket: stores.config.bucketName, Key: key }));
      return true;
    } catch {
      return false;
    }
  };

  it('keeps a soft-deleted object under trash/ and a hold as a marker object', async () => {
    const { store } = stores.deps;
    const key = freshKey();
    await store.put(key, new Uint8Array([1]), 'image/png');
    await store.setLegalHold(key, true);
    await store.softDelete(key);
    expect(await present(key)).toBe(false);
    expect(await present(TRASH_PREFIX + key)).toBe(true);
    expect(await present(HOLD_PREFIX + key)).toBe(true);
    expect(await store.purge(key)).toBe('held');
    expect(await present(TRASH_PREFIX + key)).toBe(true);
    await store.setLegalHold(key, false);
    expect(await store.purge(key)).toBe('purged');
    expect(await present(TRASH_PREFIX + key)).toBe(false);
  });

  it('interleaved deletes and restores of one key never lose the object', async () => {
    const { store } = stores.deps;
    const key = freshKey();
    await store.put(key, new Uint8Array([7, 7]), 'image/png');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store.restore(key) : store.softDelete(key))),
    );
    expect((await present(key)) || (await present(TRASH_PREFIX + key))).toBe(true);
    await store.restore(key);
    expect([...((await store.get(key))?.body ?? [])]).toEqual([7, 7]);
  });
});
