/**
 * The candidates of a list, newest first, read from one or more list index partitions: one
 * for a post or a whole workspace, one per visible project for a member's workspace-wide list.
 * Several partitions are merged into exactly the order one index would give (`listSK`
 * descending: createdAt, then id), each continuing strictly after the same start position, so
 * a cursor means the same whichever partitions the next page reads.
 */
import type { TableContext } from '../db/client.ts';
import { listSortKey } from '../db/keys.ts';
import type { ListIndexName } from '../db/table-definition.ts';
import type { ListPosition } from './cursor.ts';
import type { Attachment } from './model.ts';
import { queryListIndex } from './records.ts';

/** Items one Query asks for at most. */
export const MAX_QUERY_LIMIT = 500;

export interface ListPartition {
  indexName: ListIndexName;
  partitionValue: string;
}

const sortKeyOf = (a: Attachment): string => listSortKey(a.createdAt, a.id);

/** One partition read page by page; `buffer` holds what was read and not yet handed out. */
class PartitionReader {
  readonly buffer: Attachment[] = [];
  /** False once the partition has nothing after the last item read. */
  more = true;

  constructor(
    private readonly ctx: TableContext,
    private readonly partition: ListPartition,
    private after: ListPosition | null,
  ) {}

  /** Reads up to `limit` more items into the buffer; returns how many were read. */
  async read(limit: number): Promise<number> {
    const page = await queryListIndex(this.ctx, { ...this.partition, after: this.after, limit });
    this.buffer.push(...page.attachments);
    const last = page.attachments[page.attachments.length - 1];
    if (last) this.after = { createdAt: last.createdAt, id: last.id };
    // An empty page ends the partition whatever DynamoDB says, so a read always makes progress.
    this.more = page.more && last !== undefined;
    return page.attachments.length;
  }

  /** Nothing buffered but more in the table: its next item is unknown until it is read. */
  get dry(): boolean {
    return this.buffer.length === 0 && this.more;
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
  async next(count: number): Promise<Attachment[]> {
    const out: Attachment[] = [];
    while (out.length < count) {
      // The newest remaining item may be in any partition that ran dry: read those first.
      // A partition that still has buffered items is not read again until it runs dry.
      if (!(await this.refillDry(count - out.length))) break;
      const newest = this.readerWithNewestHead();
      if (!newest) break;
      out.push(newest.buffer.shift() as Attachment);
    }
    return out;
  }

  /** Reads every dry partition, sharing what is left of the budget; false when it is spent. */
  private async refillDry(stillWanted: number): Promise<boolean> {
    const dry = this.readers.filter((reader) => reader.dry);
    if (dry.length === 0) return true;
    const share = Math.floor((this.maxItemsRead - this.readCount) / dry.length);
    const limit = Math.min(stillWanted, MAX_QUERY_LIMIT, share);
    if (limit < 1) return false;
    const counts = await Promise.all(dry.map((reader) => reader.read(limit)));
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
