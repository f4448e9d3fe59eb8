/**
 * The index shard count of a local data directory (`npm start`, the admin CLI's local target).
 *
 * Deployments take `MEDIA_INDEX_SHARDS` from the construct (capacity model, default 16). A
 * single-node local store has no hot-partition limit to spread, while every sharded list pays
 * one Query per shard (16 Queries per workspace page against DynamoDB Local), so a new local
 * data directory uses 1 unless `MEDIA_INDEX_SHARDS` says otherwise.
 *
 * Every process reading or writing a table must use the same count, and it may grow but never
 * shrink (`shardOf` in keys.ts). So the count is written next to the data (`index-shards`) on
 * first use and read back by every later start and CLI command. A directory that holds data
 * but no such file was written by a version whose only default was 16: it keeps 16.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_INDEX_SHARDS } from './keys.ts';

export const LOCAL_DEFAULT_INDEX_SHARDS = 1;
const FILE_NAME = 'index-shards';

async function recorded(dataDir: string): Promise<number | undefined> {
  try {
    const value = Number((await readFile(join(dataDir, FILE_NAME), 'utf8')).trim());
    return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The count to use for `dataDir` (which must exist), recorded there. `configured`: the
 * `MEDIA_INDEX_SHARDS` value, if set; refused when lower than what the data was written with.
 */
export async function dataDirIndexShards(
  dataDir: string,
  configured: number | undefined,
): Promise<number> {
  const before = await recorded(dataDir);
  const hasData = existsSync(join(dataDir, 'dynamodb', 'shared-local-instance.db'));
  const existing = before ?? (hasData ? DEFAULT_INDEX_SHARDS : undefined);
  if (configured !== undefined && existing !== undefined && configured < existing) {
    throw new Error(
      `MEDIA_INDEX_SHARDS=${configured} is lower than the ${existing} shards the data in ${dataDir} was written with (the count may grow, never shrink)`,
    );
  }
  const count = configured ?? existing ?? LOCAL_DEFAULT_INDEX_SHARDS;
  if (count !== before) await writeFile(join(dataDir, FILE_NAME), `${count}\n`);
  return count;
}
