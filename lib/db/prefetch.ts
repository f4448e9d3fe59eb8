/**
 * Items a request reads ahead, together, so its critical path takes as few sequential
 * DynamoDB round trips as the data allows (README "Speed"). Authentication reads the API key
 * and the route's first items (e.g. the attachment named in the path) in one BatchGetItem,
 * then the membership and the items those point at (post, project, the caller's project
 * membership, the uploader) in a second one; the domain code then finds them here instead of
 * reading them one after the other.
 *
 * Every read is strongly consistent, as the domain's own reads are. An item is handed out
 * once (`take`): a second read of the same key in the same request (e.g. after a failed
 * conditional write) goes to the table, so nothing here can be stale.
 */
import { batchGetItems, itemKeyString, type StoredItem } from './batch-get.ts';
import type { TableContext } from './client.ts';
import type { ItemKey } from './keys.ts';

export class PrefetchedItems {
  /** null: read, not in the table. */
  private readonly items = new Map<string, StoredItem | null>();
  /** Reads other than of items (a Query), started ahead, by id. */
  private readonly queries = new Map<string, Promise<unknown>>();

  /** Reads `keys` in one batched, strongly consistent read (chunks of 100). */
  async read(ctx: TableContext, keys: readonly ItemKey[]): Promise<void> {
    const wanted = keys.filter((key) => !this.items.has(itemKeyString(key)));
    if (wanted.length === 0) return;
    const found = await batchGetItems(withoutPrefetch(ctx), wanted, { consistentRead: true });
    for (const key of wanted) {
      const id = itemKeyString(key);
      this.items.set(id, found.get(id) ?? null);
    }
  }

  /** The item without handing it out (for deciding what to read next). */
  peek(key: ItemKey): StoredItem | null | undefined {
    return this.items.get(itemKeyString(key));
  }

  /** Starts a read that is not of items (a Query) now; `takeQuery` hands its result out once. */
  startQuery(id: string, run: () => Promise<unknown>): void {
    const started = run();
    // Awaited by whoever takes it; one nobody takes (the route did not need it) must not crash.
    started.catch(() => {});
    this.queries.set(id, started);
  }

  /** The query's result (or its failure), once; undefined when it was not started ahead. */
  takeQuery(id: string): Promise<unknown> | undefined {
    const started = this.queries.get(id);
    this.queries.delete(id);
    return started;
  }

  /** The item (null: not in the table), once; undefined when it was not read ahead. */
  take(key: ItemKey): StoredItem | null | undefined {
    const id = itemKeyString(key);
    const item = this.items.get(id);
    this.items.delete(id);
    return item;
  }
}

/** A context whose reads go to the table only. */
export function withoutPrefetch(ctx: TableContext): TableContext {
  if (!ctx.prefetched) return ctx;
  const { prefetched: _, ...rest } = ctx;
  return rest;
}

/** A context for one request, with its own read-ahead items. */
export function withPrefetch(ctx: TableContext): TableContext & { prefetched: PrefetchedItems } {
  return { ...ctx, prefetched: new PrefetchedItems() };
}

/** What a route reads ahead during authentication (see `lib/auth/authenticate.ts`). */
export interface RoutePrefetch {
  /** Read together with the API key (only from the request itself: path, query). */
  withKey?: ItemKey[];
  /**
   * Read together with the caller's membership, once the key says who is calling; may look at
   * what `withKey` found (`peek`).
   */
  withMembership?: (
    caller: { workspaceId: string; userId: string },
    peek: (key: ItemKey) => StoredItem | null | undefined,
  ) => ItemKey[];
  /**
   * Queries started together with the membership read (they need only who is calling); the
   * domain takes their results by id (`takeQuery`). One the route then does not need costs a
   * read but no round trip.
   */
  queriesWithMembership?: (caller: { workspaceId: string; userId: string }) => QueryAhead[];
}

/** A read the domain would otherwise make itself, with the id it looks it up by. */
export interface QueryAhead {
  id: string;
  /** Gets a context without read-ahead items. */
  run: (ctx: TableContext) => Promise<unknown>;
}
