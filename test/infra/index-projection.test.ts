/**
 * The table's index layout is a construct prop (`indexProjection`): the default is the layout
 * of the last release (every index projects ALL), so no existing deployment is asked for an
 * index change; `'lean'` (for a new table) projects exactly what the reads use, derived from
 * the one table definition, and keeps cdk-nag clean.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IndexShape, indexShapesOfTemplate } from '../../infra/index-changes.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';
import { LIST_ITEM_FIELDS } from '../../lib/attachments/present.ts';
import { PURGE_INDEX, toCreateTableInput } from '../../lib/db/table-definition.ts';
import { onlyResource, removeAssemblies, synthStack } from './synth.ts';

afterAll(removeAssemblies);

const released = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'infra', 'released-indexes.json'), 'utf8'),
) as { release: string; layouts: Record<'all' | 'lean', IndexShape[]> };

const byName = (a: IndexShape, b: IndexShape) => a.indexName.localeCompare(b.indexName);

let defaultTable: ReturnType<typeof tableOf>;
let lean: ReturnType<typeof synthStack>;
let leanTable: ReturnType<typeof tableOf>;

function tableOf(json: ReturnType<typeof synthStack>['json']) {
  return onlyResource(json, 'AWS::DynamoDB::GlobalTable')[1];
}

beforeAll(() => {
  defaultTable = tableOf(synthStack({ service: { stageName: 'dev' } }).json);
  lean = synthStack({ service: { stageName: 'dev', indexProjection: 'lean' } });
  leanTable = tableOf(lean.json);
});

describe('indexProjection', () => {
  it('defaults to the released layout: every index as in release 0.1.0 (ALL)', () => {
    expect(indexShapesOfTemplate(defaultTable.Properties).sort(byName)).toEqual(
      [...released.layouts.all].sort(byName),
    );
    expect(defaultTable.Properties.GlobalSecondaryIndexes).toEqual(
      toCreateTableInput('t', 'all').GlobalSecondaryIndexes,
    );
  });

  it("'lean' projects the list item fields into the list indexes and keys only into the queue", () => {
    const indexes = leanTable.Properties.GlobalSecondaryIndexes as Array<{
      IndexName: string;
      Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
    }>;
    expect(indexes).toHaveLength(7);
    for (const index of indexes) {
      if (index.IndexName === PURGE_INDEX) {
        expect(index.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
      } else {
        expect(index.Projection.ProjectionType, index.IndexName).toBe('INCLUDE');
        expect([...(index.Projection.NonKeyAttributes ?? [])].sort(), index.IndexName).toEqual(
          [...LIST_ITEM_FIELDS].sort(),
        );
      }
    }
    // The same table the local stack creates for a new DATA_DIR.
    expect(indexes).toEqual(toCreateTableInput('t', 'lean').GlobalSecondaryIndexes);
  });

  it("keeps cdk-nag clean with 'lean'", () => {
    expect(new AwsSolutionsChecks().validateScope(lean.stack).violations).toEqual([]);
  });

  it('refuses an unknown layout', () => {
    expect(() =>
      synthStack({ service: { stageName: 'dev', indexProjection: 'some' as never } }),
    ).toThrow(/MediaService: indexProjection must be one of "all", "lean", got "some"/);
  });
});
