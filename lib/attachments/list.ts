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
import type { Viewer } from '../auth/permissions.ts';
import type { TableContext } from '../db/client.ts';
import { postListPartition, projectListPartition, workspaceListPartition } from '../db/keys.ts';
import type { FileType } from '../media/types.ts';
import { decodeCursor, encodeCursor, type ListPosition } from './cursor.ts';
import { workspaceListScope } from './list-scope.ts';
import { type ListPartition, ListSource, MAX_QUERY_LIMIT } from './list-source.ts';
import type { Attachment } from './model.ts';
import { toListItem } from './present.ts';
import type { ListItem } from './responses.ts';
import type { ListQuery } from './schemas.ts';
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
});

const workspacePartition = (workspaceId: string, fileType?: FileType): ListPartition => ({
  indexName: fileType ? 'ByWorkspaceAndType' : 'ByWorkspace',
  partitionValue: workspaceListPartition(workspaceId, fileType),
});

const projectPartition = (projectId: string, fileType?: FileType): ListPartition => ({
  indexName: fileType ? 'ByProjectAndType' : 'ByProject',
  partitionValue: projectListPartition(projectId, fileType),
});

/** The partitions holding exactly the workspace-wide attachments the viewer may see. */
async function workspacePartitions(
  ctx: TableContext,
  visibility: VisibilityResolver,
  fileType?: FileType,
): Promise<ListPartition[]> {
  const scope = await workspaceListScope(ctx, visibility);
  if (scope.kind === 'workspace') {
    return [workspacePartition(visibility.viewer.workspaceId, fileType)];
  }
  return scope.visibleProjectIds.map((projectId) => projectPartition(projectId, fileType));
}

const positionOf = (a: Attachment): ListPosition => ({ createdAt: a.createdAt, id: a.id });

/** Decides, for a batch of candidates, which ones the caller may see. */
type Admit = (batch: readonly Attachment[]) => Promise<(attachment: Attachment) => boolean>;

const admitAll: Admit = async () => () => true;

function admitVisiblePosts(visibility: VisibilityResolver): Admit {
  return async (batch) => {
    await visibility.load(batch.map((a) => a.postId));
    return (a) => visibility.access(a.postId).visible;
  };
}

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
    const partition = postPartition(query.postId, query.fileType);
    const source = new ListSource(ctx, [partition], start, MAX_ITEMS_EXAMINED);
    return collectPage(source, start, query.limit);
  }
  const partitions = await workspacePartitions(ctx, visibility, query.fileType);
  // A member who can see no project at all.
  if (partitions.length === 0) return EMPTY_PAGE;
  const source = new ListSource(ctx, partitions, start, MAX_ITEMS_EXAMINED);
  return collectPage(source, start, query.limit, admitVisiblePosts(visibility));
}

/**
 * Takes candidates from `source` (which starts after `start`) until a page and one more are
 * admitted, or the work ends.
 */
async function collectPage(
  source: ListSource,
  start: ListPosition | null,
  limit: number,
  admit: Admit = admitAll,
): Promise<ListPage> {
  const wanted = limit + 1; // one beyond the page tells `hasMore` exactly
  const visible: Attachment[] = [];
  // The last candidate examined: where the next page resumes when this one comes back short.
  let last = start;
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
    const lastItem = items[items.length - 1] as Attachment;
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
    nextCursor: more && last ? encodeCursor(last) : null,
  };
}
