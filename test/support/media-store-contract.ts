/**
 * The one contract of `MediaStore` (lib/storage/media-store.ts), run against every target:
 * - `S3MediaStore` (aws mode) on a real Ceph gateway, versioned with Object Lock and the
 *   deployed lifecycle rules (test/gateway/media-store-contract.test.ts), and on a simulated
 *   bucket behind aws-sdk-client-mock (test/unit/storage/s3-media-store.test.ts);
 * - `PortableMediaStore` (portable mode) on the gateway with versioning off (same gateway file)
 *   and on the local S3 server (test/integration/portable-media-store.test.ts).
 *
 * It states the behaviour the domain relies on, in the terms of the API: a soft-deleted file
 * is not served and stays restorable, byte for byte, until the platform's purge; a held file
 * is never removed by anything; nothing ever touches a live object but an explicit delete.
 */
import { describe, expect, it } from 'vitest';
import type { MediaStore } from '../../lib/storage/media-store.ts';

export interface StoreHarness {
  store(): MediaStore;
  /**
   * The store for the tests that wait for the purge (default `store()`). A real lifecycle
   * purges on the storage's own clock: there, the other tests use a bucket with a long grace
   * period, so nothing they soft-delete can be purged under them.
   */
  purgingStore?(): MediaStore;
  /** A key no other test uses, under `uploads/` (stores may be shared between tests). */
  freshKey(): string;
  /** What `purge` answers for a soft-deleted, unheld object on this platform. */
  purgeAnswer: 'purged' | 'deferred';
  /**
   * Resolves once what removes soft-deleted objects after the grace period has done its work
   * on `key` (a held object stays): S3 lifecycle in aws mode (a mock steps it, a real gateway
   * is waited for), the purge sweep's `store.purge(key)` in portable mode.
   */
  expireSoftDeleted(key: string): Promise<void>;
  /** Run the tests concurrently (a real lifecycle's waits then overlap). */
  concurrent?: boolean;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array | undefined) => new TextDecoder().decode(body);

async function listed(store: MediaStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys;
}

const prefixOf = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);

export function mediaStoreContract(name: string, harness: StoreHarness): void {
  const suite = harness.concurrent ? describe.concurrent : describe;
  suite(`MediaStore contract: ${name}`, () => {
    const setup = async (content = 'the bytes', type = 'image/png', purging = false) => {
      const store = purging ? (harness.purgingStore?.() ?? harness.store()) : harness.store();
      const key = harness.freshKey();
      await store.put(key, bytes(content), type);
      return { store, key };
    };

    it('stores, reads, lists and reports live objects', async () => {
      const { store, key } = await setup('hello', 'text/plain');
      const stored = await store.get(key);
      expect(text(stored?.body)).toBe('hello');
      expect(stored?.contentType).toBe('text/plain');
      expect(await store.exists(key)).toBe(true);
      const [object] = await (async () => {
        const found = [];
        for await (const o of store.list(prefixOf(key))) if (o.key === key) found.push(o);
        return found;
      })();
      expect(object?.lastModified).toBeInstanceOf(Date);
      expect(await store.exists(`${key}.nothing`)).toBe(false);
      expect(await store.get(`${key}.nothing`)).toBeNull();
    });

    it('soft delete takes the object out of service: not read, not listed, not existing', async () => {
      const { store, key } = await setup();
      await store.softDelete(key);
      expect(await store.get(key)).toBeNull();
      expect(await store.exists(key)).toBe(false);
      expect(await listed(store, prefixOf(key))).not.toContain(key);
    });

    it('soft delete is idempotent and a no-op on a key with nothing stored', async () => {
      const { store, key } = await setup();
      await store.softDelete(key);
      await store.softDelete(key);
      await expect(store.softDelete(harness.freshKey())).resolves.toBeUndefined();
      expect(await store.restore(key)).toBe('restored');
      expect(text((await store.get(key))?.body)).toBe('the bytes');
    });

    it('restore brings back the same bytes and content type under the same key', async () => {
      const { store, key } = await setup('exact bytes', 'audio/mpeg');
      await store.softDelete(key);
      expect(await store.restore(key)).toBe('restored');
      const back = await store.get(key);
      expect(text(back?.body)).toBe('exact bytes');
      expect(back?.contentType).toBe('audio/mpeg');
      expect(await listed(store, prefixOf(key))).toContain(key);
    });

    it('restore is idempotent on a live object and says missing when nothing is stored', async () => {
      const { store, key } = await setup();
      expect(await store.restore(key)).toBe('restored');
      expect(text((await store.get(key))?.body)).toBe('the bytes');
      expect(await store.restore(harness.freshKey())).toBe('missing');
    });

    it('purge never touches a live object', async () => {
      const { store, key } = await setup();
      expect(['absent', 'deferred']).toContain(await store.purge(key));
      expect(text((await store.get(key))?.body)).toBe('the bytes');
    });

    it('a soft-deleted object stays restorable until the platform purges it, then is gone', async () => {
      const { store, key } = await setup('the bytes', 'image/png', true);
      await store.softDelete(key);
      expect(await store.purge(key)).toBe(harness.purgeAnswer);
      await harness.expireSoftDeleted(key);
      expect(await store.restore(key)).toBe('missing');
      expect(await store.get(key)).toBeNull();
    });

    it('a legal hold placed on a live object survives delete and restore, and can be lifted', async () => {
      const { store, key } = await setup();
      expect(await store.isLegallyHeld(key)).toBe(false);
      expect(await store.setLegalHold(key, true)).toBe(true);
      expect(await store.isLegallyHeld(key)).toBe(true);
      await store.softDelete(key);
      expect(await store.isLegallyHeld(key)).toBe(true);
      expect(await store.restore(key)).toBe('restored');
      expect(await store.isLegallyHeld(key)).toBe(true);
      expect(await store.setLegalHold(key, false)).toBe(true);
      expect(await store.isLegallyHeld(key)).toBe(false);
    });

    it('a held soft-deleted object is never purged, and stays restorable', async () => {
      const { store, key } = await setup('keep me', 'image/png', true);
      await store.softDelete(key);
      expect(await store.setLegalHold(key, true)).toBe(true); // held after the delete
      expect(['held', 'deferred']).toContain(await store.purge(key));
      await harness.expireSoftDeleted(key);
      expect(await store.restore(key)).toBe('restored');
      expect(text((await store.get(key))?.body)).toBe('keep me');
    });

    it('once the hold is lifted, the soft-deleted object is purged like any other', async () => {
      const { store, key } = await setup('the bytes', 'image/png', true);
      await store.setLegalHold(key, true);
      await store.softDelete(key);
      await harness.expireSoftDeleted(key);
      await store.setLegalHold(key, false);
      await harness.expireSoftDeleted(key);
      expect(await store.restore(key)).toBe('missing');
    });

    it('holding a key with nothing stored holds nothing', async () => {
      const store = harness.store();
      const key = harness.freshKey();
      expect(await store.setLegalHold(key, true)).toBe(false);
      expect(await store.isLegallyHeld(key)).toBe(false);
      expect(await store.setLegalHold(key, false)).toBe(false);
    });

    it('remove deletes an uncommitted upload', async () => {
      const { store, key } = await setup();
      await store.remove(key);
      expect(await store.get(key)).toBeNull();
    });

    it('acts on exactly one key, not on keys it is a prefix of', async () => {
      const store = harness.store();
      const key = harness.freshKey();
      const longer = `${key}x`;
      await store.put(key, bytes('short'), 'image/png');
      await store.put(longer, bytes('long'), 'image/png');
      await store.setLegalHold(key, true);
      expect(await store.isLegallyHeld(longer)).toBe(false);
      await store.softDelete(key);
      expect(text((await store.get(longer))?.body)).toBe('long');
      await store.softDelete(longer);
      expect(await store.restore(key)).toBe('restored');
      expect(await store.get(longer)).toBeNull();
      await store.setLegalHold(key, false);
    });
  });
}
