/**
 * 3. List cost: read capacity and items read per page of 50, by walking pages of `listMedia`
 * (lib/attachments/read/list.ts, called directly: the authentication reads of a request, 2
 * consistent GetItems, are not included) with a metered client (bench/lib/capacity.ts).
 *
 * Ideal per page = one eventually consistent Query returning exactly the page's items
 * (0.5 RCU per started 4 KB of their real sizes) + one strongly consistent read of each distinct
 * post of the page (1 RCU per started 4 KB each; visibility must be live).
 *
 * Budgets: per scenario, median RCU/page at the largest dataset ≤ 1.1× the smallest; and per
 * scenario and size, median(measured / ideal) ≤ 1.5.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { listMedia } from '../lib/attachments/read/list.ts';
import { listQuerySchema } from '../lib/attachments/schemas.ts';
import type { Viewer } from '../lib/auth/permissions.ts';
import type { TableContext } from '../lib/db/client.ts';
import { keys, postListPartition } from '../lib/db/keys.ts';
import { tableDefinition } from '../lib/db/table-definition.ts';
import {
  type CapacityMeter,
  consistentItemRcu,
  itemSize,
  type MeterReading,
  queryRcu,
} from './lib/capacity.ts';
import type { Dataset } from './lib/seed.ts';
import { type Stats, summarize } from './lib/stats.ts';

export interface ListScenario {
  id: string;
  label: string;
  viewer: 'admin' | 'member';
  query: (dataset: Dataset) => Record<string, string>;
}

export const LIST_SCENARIOS: ListScenario[] = [
  {
    id: 'post',
    label: 'postId (10% of the workspace in one post)',
    viewer: 'admin',
    query: (d) => ({ postId: d.bigPostId }),
  },
  {
    id: 'workspace-image',
    label: 'workspace-wide, fileType=image',
    viewer: 'admin',
    query: () => ({ fileType: 'image' }),
  },
  {
    id: 'workspace-image-90-invisible',
    label: 'workspace-wide, fileType=image, 90% of posts invisible',
    viewer: 'member',
    query: () => ({ fileType: 'image' }),
  },
];

export interface PageCost extends MeterReading {
  returned: number;
  /**
   * Index items a perfect reader of the same index partitions would have examined: up to and
   * including the 51st visible one (one beyond the page tells `hasMore`), counted in the order
   * they were read (exact for one partition). `queryItems` (list index items only) above it is
   * over-read by the per-round query sizing or by merging several partitions.
   */
  minimumExamined: number;
  distinctPosts: number;
  idealRcu: number;
  ratio: number;
}

export interface ListCostCell {
  scenario: string;
  size: number;
  pagesWalked: number;
  rcuPerPage: Stats;
  itemsReadPerPage: Stats;
  /** Index (Query) items examined per page, and the minimum a perfect reader needs. */
  indexItemsPerPage: Stats;
  minimumExaminedPerPage: Stats;
  idealRcuPerPage: Stats;
  /** measured / ideal, per page. */
  ratio: Stats;
  pages: PageCost[];
}

export interface CapacityModelCheck {
  items: number;
  reportedRcu: number;
  modelledRcu: number;
}

export interface ListCostResult {
  scenarios: Array<Pick<ListScenario, 'id' | 'label' | 'viewer'>>;
  cells: ListCostCell[];
  modelCheck: CapacityModelCheck;
}

/** Posts the viewer can see, from the dataset's construction (bench/lib/seed.ts). */
function visiblePosts(dataset: Dataset, who: 'admin' | 'member'): Set<string> {
  return new Set(
    who === 'admin' ? [...dataset.publicPostIds, ...dataset.privatePostIds] : dataset.publicPostIds,
  );
}

function viewerOf(dataset: Dataset, who: 'admin' | 'member'): Viewer {
  const user = dataset[who];
  return { userId: user.id, workspaceId: dataset.workspaceId, role: user.role };
}

/** One direct Query of 50 items: DynamoDB Local's figure next to this module's size model. */
async function checkQueryModel(
  table: TableContext,
  meter: CapacityMeter,
  dataset: Dataset,
): Promise<CapacityModelCheck> {
  const index = tableDefinition.globalSecondaryIndexes.find((i) => i.indexName === 'ByPost');
  if (!index) throw new Error('no ByPost index');
  const partition = postListPartition(dataset.bigPostId);
  meter.reset();
  const result = await table.db.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': index.partitionKey },
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
      Limit: 50,
    }),
  );
  const items = result.Items ?? [];
  return {
    items: items.length,
    reportedRcu: meter.read().rcu,
    modelledRcu: queryRcu(items.reduce((sum, item) => sum + itemSize(item), 0)),
  };
}

async function walk(
  table: TableContext,
  meter: CapacityMeter,
  dataset: Dataset,
  scenario: ListScenario,
  maxPages: number,
): Promise<PageCost[]> {
  const viewer = viewerOf(dataset, scenario.viewer);
  const visible = visiblePosts(dataset, scenario.viewer);
  const pages: PageCost[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < maxPages; n++) {
    const query = listQuerySchema.parse({
      ...scenario.query(dataset),
      limit: '50',
      ...(cursor ? { cursor } : {}),
    });
    meter.reset();
    const page = await listMedia(table, viewer, query);
    const reading = meter.read();
    let itemBytes = 0;
    for (const item of page.items) {
      const raw = meter.item(keys.attachment(item.id));
      if (!raw) throw new Error(`list returned ${item.id} without reading it`);
      itemBytes += itemSize(raw);
    }
    const postIds = [...new Set(page.items.map((item) => item.postId))];
    let postRcu = 0;
    for (const postId of postIds) {
      const raw = meter.item(keys.post(postId));
      if (!raw) throw new Error(`list returned an item of post ${postId} without reading it`);
      postRcu += consistentItemRcu(itemSize(raw));
    }
    const idealRcu = page.items.length === 0 ? 0 : queryRcu(itemBytes) + postRcu;
    // Attachments read from list indexes; a member's list also queries the workspace's
    // project entries (their capacity counts in `rcu`, they are no list items).
    const listed = meter.queried.filter((item) => typeof item.postId === 'string');
    let minimumExamined = 0;
    let seenVisible = 0;
    for (const item of listed) {
      minimumExamined += 1;
      if (visible.has(String(item.postId))) seenVisible += 1;
      if (seenVisible === query.limit + 1) break;
    }
    pages.push({
      ...reading,
      queryItems: listed.length,
      returned: page.items.length,
      minimumExamined,
      distinctPosts: postIds.length,
      idealRcu,
      ratio: idealRcu === 0 ? Number.NaN : reading.rcu / idealRcu,
    });
    if (!page.hasMore || !page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return pages;
}

export async function measureListCost(options: {
  table: TableContext;
  meter: CapacityMeter;
  datasets: Dataset[];
  pages: number;
  log: (line: string) => void;
}): Promise<ListCostResult> {
  const cells: ListCostCell[] = [];
  for (const dataset of options.datasets) {
    for (const scenario of LIST_SCENARIOS) {
      // Full pages only: a short last page says nothing about the cost of a page of 50.
      const pages = (
        await walk(options.table, options.meter, dataset, scenario, options.pages)
      ).filter((page, i, all) => page.returned === 50 || (i === 0 && all.length === 1));
      const cell: ListCostCell = {
        scenario: scenario.id,
        size: dataset.size,
        pagesWalked: pages.length,
        rcuPerPage: summarize(pages.map((p) => p.rcu)),
        itemsReadPerPage: summarize(pages.map((p) => p.itemsRead)),
        indexItemsPerPage: summarize(pages.map((p) => p.queryItems)),
        minimumExaminedPerPage: summarize(pages.map((p) => p.minimumExamined)),
        idealRcuPerPage: summarize(pages.map((p) => p.idealRcu)),
        ratio: summarize(pages.map((p) => p.ratio).filter((r) => Number.isFinite(r))),
        pages,
      };
      options.log(
        `  ${String(dataset.size).padStart(6)} ${scenario.id.padEnd(30)} ${cell.rcuPerPage.median.toFixed(1)} RCU/page (ideal ${cell.idealRcuPerPage.median.toFixed(1)}, ${cell.ratio.median.toFixed(2)}×), ${cell.itemsReadPerPage.median.toFixed(0)} items read (index ${cell.indexItemsPerPage.median.toFixed(0)}, needed ${cell.minimumExaminedPerPage.median.toFixed(0)}), ${pages.length} pages`,
      );
      cells.push(cell);
    }
  }
  const first = options.datasets[0];
  if (!first) throw new Error('no dataset');
  const modelCheck = await checkQueryModel(options.table, options.meter, first);
  return {
    scenarios: LIST_SCENARIOS.map(({ id, label, viewer }) => ({ id, label, viewer })),
    cells,
    modelCheck,
  };
}
