/**
 * `GET /api/v1/media`: newest first through the index partitions that hold what the query
 * asks for, so a page costs work proportional to the page. With `postId` the whole partition
 * belongs to one post whose visibility is checked once. Workspace-wide, a caller who sees
 * every project reads the workspace index; a member who cannot see some projects reads the
 * partitions of the projects they can see, merged (`list-scope.ts`, `list-source.ts`). Either
 * way each batch of candidates is filtered by live post visibility (batched reads), and the
 * work per request is bounded: when the budget runs out the page may be short, with
 * `hasMore: true` and a cursor at the last item examined.
 */
import type { Viewer } from '../../auth/permissions.ts';
import { indexShardsOf, type TableContext } from '../../db/client.ts';
import {
  allShards,
  postListPartition,
  projectListPartition,
  workspaceListPartition,
} from '../../db/keys.ts';
import type { ListIndexName } from '../../db/table-definition.ts';
import type { FileType } from '../../media/types.ts';
import { toListItem } from '../present.ts';
import type { ListEntry } from '../records.ts';
import type { ListItem } from '../responses.ts';
import type { ListQuery } from '../schemas.ts';
import {
  type CursorSeal,
  decodeCursor,
  defaultCursorSeal,
  encodeCursor,
  type ListPosition,
  TOP_POSITION,
} from './cursor.ts';
import { workspaceListScope } from './list-scope.ts';
import { type ListPartition, ListSource, MAX_QUERY_LIMIT } from './list-source.ts';
import { VisibilityResolver } from './visibility.ts';

/** Index items read per request at most, whatever the share of invisible posts. */
export const MAX_ITEMS_EXAMINED = 1000;
const MAX_QUERY_ROUNDS = 10;

export interface ListPage {
  items: ListItem[];
  hasMore: boolean;
  nextCursor: string | null;
}

const EMPTY_PAGE: ListPage = { items: [], hasMore: false, nextCursor: null };

const postPartition = (postId: string, fileType?: FileType): ListPartition => ({
  indexName: fileType ? 'ByPostAndType' : 'ByPost',
  partitionValue: postListPartition(postId, fileType),
  share: 1,
});

/** Every shard of a list whose shard partitions `partitionOf` names. */
const everyShard = (
  indexName: ListIndexName,
  shardCount: number,
  partitionOf: (shard: number) => string,
): ListPartition[] =>
  allShards(shardCount).map((shard) => ({
    indexName,
    partitionValue: partitionOf(shard),
    share: 1 / shardCount,
  }));

/** The partitions holding exactly the workspace-wide attachments the viewer may see. */
async function visiblePartitions(
  ctx: TableContext,
  visibility: VisibilityResolver,
  fileType?: FileType,
): Promise<ListPartition[]> {
  const shardCount = indexShardsOf(ctx);
  const scope = await workspaceListScope(ctx, visibility, shardCount);
  if (scope.kind === 'workspace') {
    const { workspaceId } = visibility.viewer;
    return everyShard(fileType ? 'ByWorkspaceAndType' : 'ByWorkspace', shardCount, (shard) =>
      workspaceListPartition(workspaceId, shard, fileType),
    );
  }
  return scope.visibleProjectIds.flatMap((projectId) =>
    everyShard(fileType ? 'ByProjectAndType' : 'ByProject', shardCount, (shard) =>
      projectListPartition(projectId, shard, fileType),
    ),
  );
}

const positionOf = (a: ListEntry): ListPosition => ({ createdAt: a.createdAt, id: a.id });

/** Decides, for a batch of candidates, which ones the caller may see. */
type Admit = (batch: readonly ListEntry[]) => Promise<(attachment: ListEntry) => boolean>;

const admitAll: Admit = async () => () => true;

function admitVisiblePosts(visibility: VisibilityResolver): Admit {
  return async (batch) => {
    await visibility.load(batch.map((a) => a.postId));
    return (a) => visibility.access(a.postId).visible;
  };
}

/** Where a page starts: after `start`; `shown` is the last position the caller has seen. */
interface PageStart {
  start: ListPosition | null;
  shown: ListPosition | null;
}

export async function listMedia(
  ctx: TableContext,
  viewer: Viewer,
  query: ListQuery,
  seal: CursorSeal = defaultCursorSeal(),
): Promise<ListPage> {
  const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor, seal);
  const from: PageStart = { start: cursor?.start ?? null, shown: cursor?.position ?? null };
  const visibility = new VisibilityResolver(ctx, viewer);
  if (query.postId) {
    const access = await visibility.accessOf(query.postId);
    if (!access.visible) return EMPTY_PAGE;
    const partition = postPartition(query.postId, query.fileType);
    const source = new ListSource(ctx, [partition], from.start, MAX_ITEMS_EXAMINED);
    return collectPage(source, from, query.limit, seal);
  }
  const partitions = await visiblePartitions(ctx, visibility, query.fileType);
  // A member who can see no project at all.
  if (partitions.length === 0) return EMPTY_PAGE;
  const source = new ListSource(ctx, partitions, from.start, MAX_ITEMS_EXAMINED);
  return collectPage(source, from, query.limit, seal, admitVisiblePosts(visibility));
}

/**
 * Takes candidates from `source` (which starts after `from.start`) until a page and one more
 * are admitted, or the work ends.
 */
async function collectPage(
  source: ListSource,
  from: PageStart,
  limit: number,
  seal: CursorSeal,
  admit: Admit = admitAll,
): Promise<ListPage> {
  const wanted = limit + 1; // one beyond the page tells `hasMore` exactly
  const visible: ListEntry[] = [];
  // The last candidate examined: where the next page resumes when this one comes back short.
  let last = from.start;
  let examined = 0;

  for (let round = 0; round < MAX_QUERY_ROUNDS && source.more && visible.length < wanted; round++) {
    // Ask for more per round when earlier rounds found many invisible items.
    const hitRate = examined === 0 ? 1 : Math.max(visible.length / examined, 0.05);
    const count = Math.min(Math.ceil((wanted - visible.length) / hitRate), MAX_QUERY_LIMIT);
    const batch = await source.next(count);
    if (batch.length === 0) break; // the work budget is spent
    examined += batch.length;
    const admits = await admit(batch);
    for (const attachment of batch) {
      last = positionOf(attachment);
      if (admits(attachment)) {
        visible.push(attachment);
        if (visible.length === wanted) break;
      }
    }
  }

  if (visible.length === wanted) {
    const items = visible.slice(0, limit);
    const lastItem = items[items.length - 1] as ListEntry;
    return {
      items: items.map(toListItem),
      hasMore: true,
      nextCursor: encodeCursor(positionOf(lastItem)),
    };
  }
  // Fewer than a full page: either the partitions are exhausted or the budget ran out.
  const more = source.more;
  return {
    items: visible.map(toListItem),
    hasMore: more,
    nextCursor: more ? shortPageCursor(visible, from, last, seal) : null,
  };
}

/**
 * The cursor of a page cut short by the work budget: public part at the last item returned
 * (or where the page started), the last entry examined sealed (`cursor.ts`), so a hidden
 * attachment's position never shows.
 */
function shortPageCursor(
  returned: readonly ListEntry[],
  from: PageStart,
  lastExamined: ListPosition | null,
  seal: CursorSeal,
): string {
  const lastReturned = returned[returned.length - 1];
  const shown = lastReturned ? positionOf(lastReturned) : (from.shown ?? TOP_POSITION);
  const resumeAfterShown =
    lastExamined !== null &&
    (lastExamined.createdAt !== shown.createdAt || lastExamined.id !== shown.id);
  return encodeCursor(
    shown,
    resumeAfterShown ? { position: lastExamined as ListPosition, seal } : undefined,
  );
}
