/**
 * `GET /api/v1/media`: newest first through the index that matches the query, so a page costs
 * work proportional to the page. With `postId` the whole partition belongs to one post whose
 * visibility is checked once. Workspace-wide, each batch of index items is filtered by live post
 * visibility (batched reads), and the work per request is bounded: when the budget runs out the
 * page may be short, with `hasMore: true` and a cursor at the last item examined.
 */
import type { Viewer } from '../auth/permissions.ts';
import type { TableContext } from '../db/client.ts';
import { postListPartition, workspaceListPartition } from '../db/keys.ts';
import type { ListIndexName } from '../db/table-definition.ts';
import type { FileType } from '../media/types.ts';
import { decodeCursor, encodeCursor, type ListPosition } from './cursor.ts';
import type { Attachment } from './model.ts';
import { toListItem } from './present.ts';
import { queryListIndex } from './records.ts';
import type { ListItem, ListQuery } from './schemas.ts';
import { VisibilityResolver } from './visibility.ts';

/** Index items examined per request at most, whatever the share of invisible posts. */
export const MAX_ITEMS_EXAMINED = 1000;
const MAX_QUERY_ROUNDS = 10;
const MAX_QUERY_LIMIT = 500;

export interface ListPage {
  items: ListItem[];
  hasMore: boolean;
  nextCursor: string | null;
}

const EMPTY_PAGE: ListPage = { items: [], hasMore: false, nextCursor: null };

/** The index that holds exactly the attachments a query asks for. */
function indexFor(
  viewer: Viewer,
  query: { postId?: string; fileType?: FileType },
): { indexName: ListIndexName; partitionValue: string } {
  if (query.postId) {
    return {
      indexName: query.fileType ? 'ByPostAndType' : 'ByPost',
      partitionValue: postListPartition(query.postId, query.fileType),
    };
  }
  return {
    indexName: query.fileType ? 'ByWorkspaceAndType' : 'ByWorkspace',
    partitionValue: workspaceListPartition(viewer.workspaceId, query.fileType),
  };
}

const positionOf = (a: Attachment): ListPosition => ({ createdAt: a.createdAt, id: a.id });

export async function listMedia(
  ctx: TableContext,
  viewer: Viewer,
  query: ListQuery,
): Promise<ListPage> {
  const start = query.cursor === undefined ? null : decodeCursor(query.cursor);
  const visibility = new VisibilityResolver(ctx, viewer);
  if (query.postId) {
    const access = await visibility.accessOf(query.postId);
    if (!access.visible) return EMPTY_PAGE;
  }
  const index = indexFor(viewer, query);
  const wanted = query.limit + 1; // one beyond the page tells `hasMore` exactly
  const visible: Attachment[] = [];
  let after = start;
  let examined = 0;
  let more = true;

  for (let round = 0; round < MAX_QUERY_ROUNDS && more && visible.length < wanted; round++) {
    // Read more per round when earlier rounds found many invisible items.
    const hitRate = examined === 0 ? 1 : Math.max(visible.length / examined, 0.05);
    const needed = Math.ceil((wanted - visible.length) / hitRate);
    const limit = Math.min(
      Math.max(needed, wanted - visible.length),
      MAX_QUERY_LIMIT,
      MAX_ITEMS_EXAMINED - examined,
    );
    if (limit <= 0) break;

    const page = await queryListIndex(ctx, { ...index, after, limit });
    examined += page.attachments.length;
    more = page.more;
    if (!query.postId) await visibility.load(page.attachments.map((a) => a.postId));
    for (const attachment of page.attachments) {
      after = positionOf(attachment);
      if (query.postId || visibility.access(attachment.postId).visible) {
        visible.push(attachment);
        if (visible.length === wanted) break;
      }
    }
  }

  if (visible.length === wanted) {
    const items = visible.slice(0, query.limit);
    const last = items[items.length - 1] as Attachment;
    return {
      items: items.map(toListItem),
      hasMore: true,
      nextCursor: encodeCursor(positionOf(last)),
    };
  }
  // Fewer than a full page: either the index is exhausted or the budget ran out.
  return {
    items: visible.map(toListItem),
    hasMore: more,
    nextCursor: more && after ? encodeCursor(after) : null,
  };
}
