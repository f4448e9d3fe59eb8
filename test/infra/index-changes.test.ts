/**
 * Deploys that cannot break on indexes: CloudFormation accepts one GSI creation or deletion per
 * table update, so the table synthesized now may differ from the last release's
 * (`infra/released-indexes.json`) by at most one index, in each index layout (a deployment
 * keeps its `indexProjection`). README "Deploy" → "Upgrading across index changes" says what
 * to do when a change needs more.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IndexShape,
  indexChanges,
  indexShapesOfTemplate,
  MAX_INDEX_CHANGES_PER_RELEASE,
} from '../../infra/index-changes.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';
import { INDEX_PROJECTIONS, type IndexProjection } from '../../lib/db/table-definition.ts';
import { onlyResource, removeAssemblies, synthStack } from './synth.ts';

afterAll(removeAssemblies);

const released = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'infra', 'released-indexes.json'), 'utf8'),
) as { release: string; layouts: Record<IndexProjection, IndexShape[]> };

const current = {} as Record<IndexProjection, IndexShape[]>;

beforeAll(() => {
  for (const indexProjection of INDEX_PROJECTIONS) {
    const { json } = synthStack({ service: { stageName: 'dev', indexProjection } });
    const [, table] = onlyResource(json, 'AWS::DynamoDB::GlobalTable');
    current[indexProjection] = indexShapesOfTemplate(table.Properties);
  }
});

describe.each(INDEX_PROJECTIONS)('table indexes against the last release, layout %s', (layout) => {
  it(`change by at most ${MAX_INDEX_CHANGES_PER_RELEASE} GSI (CloudFormation's limit per update)`, () => {
    const changes = indexChanges(released.layouts[layout], current[layout]);
    expect(
      changes.count,
      `Compared with release ${released.release} a deployment of layout ${layout} would create/delete ` +
        `${changes.count} GSIs (added ${changes.added.join(', ') || '-'}, removed ` +
        `${changes.removed.join(', ') || '-'}, replaced ${changes.replaced.join(', ') || '-'}); ` +
        'CloudFormation refuses more than one per update. Ship them in separate releases ' +
        '(README "Upgrading across index changes"), then `npm run release:indexes -- <version>` ' +
        'when releasing.',
    ).toBeLessThanOrEqual(MAX_INDEX_CHANGES_PER_RELEASE);
  });

  it('reads the synthesized table (the snapshot is not compared with itself)', () => {
    expect(current[layout].length).toBeGreaterThan(0);
    expect(released.layouts[layout].length).toBeGreaterThan(0);
  });
});

describe('indexChanges', () => {
  const index = (indexName: string, partitionKey = `${indexName}PK`): IndexShape => ({
    indexName,
    partitionKey,
    sortKey: 'listSK',
    projection: 'ALL',
  });
  const base = [index('A'), index('B')];

  it('counts nothing for the same indexes in another order', () => {
    expect(indexChanges(base, [index('B'), index('A')]).count).toBe(0);
  });

  it('counts one added or one removed index as one change', () => {
    expect(indexChanges(base, [...base, index('C')])).toEqual({
      added: ['C'],
      removed: [],
      replaced: [],
      count: 1,
    });
    expect(indexChanges(base, [index('A')])).toMatchObject({ removed: ['B'], count: 1 });
  });

  it('fails the rule for two added indexes, or one added and one removed', () => {
    expect(indexChanges(base, [...base, index('C'), index('D')]).count).toBe(2);
    expect(indexChanges(base, [index('A'), index('C')]).count).toBe(2);
  });

  it('counts a changed key schema or projection as a delete plus a create', () => {
    expect(indexChanges(base, [index('A', 'other'), index('B')])).toMatchObject({
      replaced: ['A'],
      count: 2,
    });
    const keysOnly = { ...index('B'), projection: 'KEYS_ONLY' };
    expect(indexChanges(base, [index('A'), keysOnly]).count).toBe(2);
  });

  it('counts a changed INCLUDE list as a delete plus a create (a new list field on lean)', () => {
    const include = (names: string[]) => ({
      ...index('A'),
      projection: 'INCLUDE',
      nonKeyAttributes: names,
    });
    expect(indexChanges([include(['a', 'b'])], [include(['a', 'b'])]).count).toBe(0);
    expect(indexChanges([include(['a', 'b'])], [include(['a', 'b', 'c'])])).toMatchObject({
      replaced: ['A'],
      count: 2,
    });
  });

  it('reads key schema and projection from a template resource', () => {
    expect(
      indexShapesOfTemplate({
        GlobalSecondaryIndexes: [
          {
            IndexName: 'X',
            KeySchema: [
              { AttributeName: 's', KeyType: 'RANGE' },
              { AttributeName: 'p', KeyType: 'HASH' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
          {
            IndexName: 'Y',
            KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['b', 'a'] },
          },
        ],
      }),
    ).toEqual([
      { indexName: 'X', partitionKey: 'p', sortKey: 's', projection: 'KEYS_ONLY' },
      { indexName: 'Y', partitionKey: 'p', projection: 'INCLUDE', nonKeyAttributes: ['a', 'b'] },
    ]);
  });
});
