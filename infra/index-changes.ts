/**
 * CloudFormation creates or deletes at most one global secondary index per table update; an
 * update that adds two fails and rolls back. So every release may add or remove at most one
 * GSI compared with the one before it. `infra/released-indexes.json` records the indexes of the
 * last release, in each index layout (`indexProjection`: a deployment keeps its layout across
 * releases); `test/infra/index-changes.test.ts` compares the synthesized table of each layout
 * with it. Under `lean` a list index projects `LIST_ITEM_FIELDS`, so a new list field is a
 * projection change of six indexes there: it needs the one-index-per-release sequence of
 * docs/capacity.md.
 *
 * An index whose key schema or projection changes counts twice (DynamoDB cannot alter an
 * index: it is deleted and created again).
 */

export interface IndexShape {
  indexName: string;
  partitionKey: string;
  sortKey?: string;
  projection: string;
  /** The projected attributes of an `INCLUDE` projection, sorted. */
  nonKeyAttributes?: string[];
}

export interface IndexChanges {
  added: string[];
  removed: string[];
  /** Same name, different keys or projection: a delete plus a create. */
  replaced: string[];
  /** How many GSI creations/deletions one deployment would ask CloudFormation for. */
  count: number;
}

/** At most this many GSI creations or deletions per table update (a CloudFormation limit). */
export const MAX_INDEX_CHANGES_PER_RELEASE = 1;

const sameShape = (a: IndexShape, b: IndexShape): boolean =>
  a.partitionKey === b.partitionKey &&
  a.sortKey === b.sortKey &&
  a.projection === b.projection &&
  (a.nonKeyAttributes ?? []).join() === (b.nonKeyAttributes ?? []).join();

export function indexChanges(
  released: readonly IndexShape[],
  current: readonly IndexShape[],
): IndexChanges {
  const before = new Map(released.map((index) => [index.indexName, index]));
  const after = new Map(current.map((index) => [index.indexName, index]));
  const added = [...after.keys()].filter((name) => !before.has(name));
  const removed = [...before.keys()].filter((name) => !after.has(name));
  const replaced = [...after.values()]
    .filter((index) => {
      const old = before.get(index.indexName);
      return old !== undefined && !sameShape(old, index);
    })
    .map((index) => index.indexName);
  return { added, removed, replaced, count: added.length + removed.length + 2 * replaced.length };
}

/** The GSIs of an `AWS::DynamoDB::GlobalTable` (or `Table`) resource's properties. */
export function indexShapesOfTemplate(properties: {
  GlobalSecondaryIndexes?: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string; KeyType: string }>;
    Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }>;
}): IndexShape[] {
  return (properties.GlobalSecondaryIndexes ?? []).map((index) => {
    const key = (type: string) => index.KeySchema.find((k) => k.KeyType === type)?.AttributeName;
    const sortKey = key('RANGE');
    const nonKey = index.Projection?.NonKeyAttributes;
    return {
      indexName: index.IndexName,
      partitionKey: key('HASH') ?? '',
      ...(sortKey ? { sortKey } : {}),
      projection: index.Projection?.ProjectionType ?? 'ALL',
      ...(nonKey?.length ? { nonKeyAttributes: [...nonKey].sort() } : {}),
    };
  });
}
