/**
 * The candidates of a list, newest first, read from one or more list index partitions: one
 * for a post, the shards of a whole workspace, or the shards of each visible project for a
 * member's workspace-wide list. The partitions are merged into exactly the order one index
 * would give (`listSK` descending: createdAt, then id), each continuing strictly after the
 * same start position, so a cursor means the same whichever partitions the next page reads.
 *
 * A partition is only read when the merge needs it: its unread items all sort after
 * (are older than) the last item read from it, so while another partition's newest buffered
 * item is newer than that, it can be handed out without reading. Reads are sized by the
 * partition's expected share of the list (1/N for one of N shards), so merging N shards reads
 * about a page in total, not N pages.
 */
import type { TableContext } from '../../db/client.ts';
import { listSortKey } from '../../db/keys.ts';
import type { ListIndexName } from '../../db/table-definition.ts';
import { type ListEntry, queryListIndex } from '../records.ts';
import type { ListPosition } from './cursor.ts';

/** Items one Query asks for at most. */
export const MAX_QUERY_LIMIT = 500;

export interface ListPartition {
  indexName: ListIndexName;
  partitionValue: string;
  /**
   * The share of the merged list this partition is expected to hold (1/N for one of N shards
   * of the same list; 1 when unknown). Only sizes reads: a wrong guess costs a further read.
   */
  share: number;
}

const sortKeyOf = (position: ListPosition): string => listSortKey(position.createdAt, position.id);

/** Reads a little beyond the expected share, so one read usually covers a shard's part. */
const SHARE_MARGIN = 1;

/** One partition read page by page; `buffer` holds what was read and not yet handed out. */
class PartitionReader {
  readonly buffer: ListEntry[] = [];
  /** False once the partition has nothing after the last item read. */
  more = true;
  /** Sort key of the last item read (or of the start): every unread item sorts below it. */
  private floor: string | null;

  constructor(
    private readonly ctx: TableContext,
    readonly partition: ListPartition,
    private after: ListPosition | null,
  ) {
    this.floor = after ? sortKeyOf(after) : null;
  }

  /** Reads up to `limit` more items into the buffer; returns how many were read. */
  async read(limit: number): Promise<number> {
    const page = await queryListIndex(this.ctx, { ...this.partition, after: this.after, limit });
    this.buffer.push(...page.attachments);
    const last = page.attachments[page.attachments.length - 1];
    if (last) {
      this.after = { createdAt: last.createdAt, id: last.id };
      this.floor = sortKeyOf(this.after);
    }
    // An empty page ends the partition whatever DynamoDB says, so a read always makes progress.
    this.more = page.more && last !== undefined;
    return page.attachments.length;
  }

  /**
   * Whether this partition must be read before an item with sort key `key` (null: before any
   * item) can be handed out: nothing buffered, more in the table, and those unread items may
   * be newer than `key`.
   */
  blocks(key: string | null): boolean {
    if (this.buffer.length > 0 || !this.more) return false;
    return key === null || this.floor === null || this.floor > key;
  }
}

export class ListSource {
  private readonly readers: PartitionReader[];
  private readCount = 0;

  /**
   * @param start only items strictly after this position (newest-first order) are listed.
   * @param maxItemsRead the work budget: index items read over the source's whole life.
   */
  constructor(
    ctx: TableContext,
    partitions: readonly ListPartition[],
    start: ListPosition | null,
    private readonly maxItemsRead: number,
  ) {
    this.readers = partitions.map((partition) => new PartitionReader(ctx, partition, start));
  }

  /** Whether candidates may remain after the ones handed out so far. */
  get more(): boolean {
    return this.readers.some((reader) => reader.buffer.length > 0 || reader.more);
  }

  /** Index items read so far. */
  get itemsRead(): number {
    return this.readCount;
  }

  /**
   * Up to `count` further candidates, newest first. Fewer only when every partition is
   * exhausted or the work budget is spent (then `more` stays true).
   */
  async next(count: number): Promise<ListEntry[]> {
    const out: ListEntry[] = [];
    while (out.length < count) {
      const newest = this.readerWithNewestHead();
      const head = newest?.buffer[0];
      const headKey = head ? sortKeyOf(head) : null;
      const blocking = this.readers.filter((reader) => reader.blocks(headKey));
      if (blocking.length > 0) {
        if (!(await this.read(blocking, count - out.length))) break;
        continue;
      }
      if (!newest) break; // every partition is exhausted
      out.push(newest.buffer.shift() as ListEntry);
    }
    return out;
  }

  /** Reads the given partitions, sharing what is left of the budget; false when it is spent. */
  private async read(readers: PartitionReader[], stillWanted: number): Promise<boolean> {
    const budgetShare = Math.floor((this.maxItemsRead - this.readCount) / readers.length);
    if (budgetShare < 1) return false;
    const counts = await Promise.all(
      readers.map((reader) => {
        const expected = Math.ceil(
          stillWanted * Math.min(1, reader.partition.share * SHARE_MARGIN),
        );
        return reader.read(Math.min(expected, stillWanted, MAX_QUERY_LIMIT, budgetShare));
      }),
    );
    for (const n of counts) this.readCount += n;
    return true;
  }

  private readerWithNewestHead(): PartitionReader | undefined {
    let newest: PartitionReader | undefined;
    let newestKey = '';
    for (const reader of this.readers) {
      const head = reader.buffer[0];
      if (!head) continue;
      const key = sortKeyOf(head);
      if (newest === undefined || key > newestKey) {
        newest = reader;
        newestKey = key;
      }
    }
    return newest;
  }
}
