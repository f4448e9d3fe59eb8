/**
 * The shard count of a local data directory: 1 for a new one, 16 for data written before the
 * count was recorded, the configured count when set (never lower than the data's), and the
 * same answer for every later process (npm start, the admin CLI).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataDirIndexShards } from '../../../lib/db/data-dir-shards.ts';
import { DEFAULT_INDEX_SHARDS } from '../../../lib/db/keys.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'media-shards-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const recorded = async () => (await readFile(join(dataDir, 'index-shards'), 'utf8')).trim();

async function legacyData(): Promise<void> {
  await mkdir(join(dataDir, 'dynamodb'));
  await writeFile(join(dataDir, 'dynamodb', 'shared-local-instance.db'), '');
}

describe('dataDirIndexShards', () => {
  it('uses 1 shard for a new data directory and records it', async () => {
    expect(await dataDirIndexShards(dataDir, undefined)).toBe(1);
    expect(await recorded()).toBe('1');
    await legacyData(); // the store has data now: the recorded count still wins
    expect(await dataDirIndexShards(dataDir, undefined)).toBe(1);
  });

  it('keeps the old default for data written before the count was recorded', async () => {
    await legacyData();
    expect(await dataDirIndexShards(dataDir, undefined)).toBe(DEFAULT_INDEX_SHARDS);
    expect(await recorded()).toBe(String(DEFAULT_INDEX_SHARDS));
  });

  it('takes a configured count, may grow it, and refuses to shrink it', async () => {
    expect(await dataDirIndexShards(dataDir, 4)).toBe(4);
    expect(await dataDirIndexShards(dataDir, undefined)).toBe(4);
    expect(await dataDirIndexShards(dataDir, 8)).toBe(8);
    await expect(dataDirIndexShards(dataDir, 2)).rejects.toThrow(/never shrink/);
    expect(await recorded()).toBe('8');
  });
});
