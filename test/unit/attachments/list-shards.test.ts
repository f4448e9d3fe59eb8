/**
 * Shard keys: an attachment's shard comes from its id and spreads evenly; shard 0 is spelled as
 * the partitions were before sharding, so older records need no migration.
 */
import { describe, expect, it } from 'vitest';
import {
  allShards,
  listIndexKeys,
  purgeQueueKeys,
  purgeQueuePartition,
  shardOf,
  workspaceListPartition,
} from '../../../lib/db/keys.ts';

const ids = Array.from({ length: 16_000 }, (_, i) => `att_${i.toString(36).padStart(20, '0')}`);

describe('shardOf', () => {
  it.each([2, 8, 16, 32])('spreads ids like a fair die over %i shards', (shards) => {
    const counts = new Array<number>(shards).fill(0);
    for (const id of ids) counts[shardOf(id, shards)] = (counts[shardOf(id, shards)] ?? 0) + 1;
    // As random as a fair die: within 4 standard deviations of the binomial expectation.
    const fair = ids.length / shards;
    const sigma = Math.sqrt(fair * (1 - 1 / shards));
    expect(Math.max(...counts)).toBeLessThanOrEqual(fair + 4 * sigma);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(fair - 4 * sigma);
  });

  it('is 0 for one shard, and stable', () => {
    expect(shardOf('att_x', 1)).toBe(0);
    expect(shardOf('att_abc', 16)).toBe(shardOf('att_abc', 16));
    expect(allShards(3)).toEqual([0, 1, 2]);
  });
});

describe('sharded keys', () => {
  it('spell shard 0 like the unsharded partitions', () => {
    expect(workspaceListPartition('ws_a', 0)).toBe('WS#ws_a');
    expect(workspaceListPartition('ws_a', 0, 'image')).toBe('WS#ws_a#TYPE#image');
    expect(purgeQueuePartition(0)).toBe('PURGE');
    expect(workspaceListPartition('ws_a', 3, 'image')).toBe('WS#ws_a#TYPE#image#S3');
    expect(purgeQueuePartition(5)).toBe('PURGE#S5');
  });

  it('put every hot partition of one attachment in the same shard, posts unsharded', () => {
    const attachment = {
      id: ids[7] as string,
      workspaceId: 'ws_a',
      projectId: 'prj_a',
      postId: 'pst_a',
      fileType: 'audio' as const,
    };
    const shard = shardOf(attachment.id, 8);
    const suffix = shard === 0 ? '' : `#S${shard}`;
    expect(listIndexKeys(attachment, 8)).toEqual({
      byPostPK: 'POST#pst_a',
      byPostTypePK: 'POST#pst_a#TYPE#audio',
      byProjectPK: `PROJECT#prj_a${suffix}`,
      byProjectTypePK: `PROJECT#prj_a#TYPE#audio${suffix}`,
      byWorkspacePK: `WS#ws_a${suffix}`,
      byWorkspaceTypePK: `WS#ws_a#TYPE#audio${suffix}`,
    });
    expect(purgeQueueKeys(5, attachment.id, 8).purgePK).toBe(`PURGE${suffix}`);
  });
});
