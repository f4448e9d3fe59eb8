/**
 * Read-capacity metering without touching production code: a middleware on *this benchmark's*
 * document client asks for `ReturnConsumedCapacity: TOTAL` on every Query / GetItem /
 * BatchGetItem and sums what DynamoDB (Local) reports, counting the items read and keeping
 * them (unmarshalled) so the ideal cost of a page can be computed from their real sizes.
 *
 * Item sizes follow DynamoDB's rules (attribute names + values; numbers by significant digits;
 * 3 bytes + 1 per element for lists and maps); `checkQueryModel` compares this model with
 * DynamoDB Local on one real Query, and the result is reported next to the figures.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { itemKeyString } from '../../lib/db/batch-get.ts';
import type { ItemKey } from '../../lib/db/keys.ts';

// Document-client commands report the low-level command's name (GetItemCommand, …).
const METERED = new Set([
  'QueryCommand',
  'GetCommand',
  'GetItemCommand',
  'BatchGetCommand',
  'BatchGetItemCommand',
]);

export interface MeterReading {
  /** Read capacity units, as reported. */
  rcu: number;
  /** Items returned by every read (Query items + BatchGet/Get items). */
  itemsRead: number;
  queryItems: number;
  batchItems: number;
  calls: Record<string, number>;
}

interface CapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
}

export class CapacityMeter {
  private reading: MeterReading = CapacityMeter.empty();
  /** Every item read since the last reset, by table key. */
  readonly seen = new Map<string, Record<string, unknown>>();
  /** Query items since the last reset, in the order they were read. */
  readonly queried: Record<string, unknown>[] = [];

  static empty(): MeterReading {
    return { rcu: 0, itemsRead: 0, queryItems: 0, batchItems: 0, calls: {} };
  }

  reset(): void {
    this.reading = CapacityMeter.empty();
    this.seen.clear();
    this.queried.length = 0;
  }

  read(): MeterReading {
    return { ...this.reading, calls: { ...this.reading.calls } };
  }

  item(key: ItemKey): Record<string, unknown> | undefined {
    return this.seen.get(itemKeyString(key));
  }

  private remember(items: readonly Record<string, unknown>[]): void {
    for (const item of items) {
      if (typeof item.PK === 'string' && typeof item.SK === 'string') {
        this.seen.set(itemKeyString({ PK: item.PK, SK: item.SK }), item);
      }
    }
  }

  /** Installs the middleware on a document client (use a client of the benchmark's own). */
  install(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = (context as { commandName?: string }).commandName ?? '';
        if (!METERED.has(name)) return next(args);
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const output = result.output as {
          ConsumedCapacity?: CapacityLike | CapacityLike[];
          Items?: Record<string, unknown>[];
          Item?: Record<string, unknown>;
          Responses?: Record<string, Record<string, unknown>[]>;
        };
        const consumed = output.ConsumedCapacity;
        for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          this.reading.rcu += entry.CapacityUnits ?? entry.ReadCapacityUnits ?? 0;
        }
        this.reading.calls[name] = (this.reading.calls[name] ?? 0) + 1;
        if (output.Items) {
          this.reading.queryItems += output.Items.length;
          this.reading.itemsRead += output.Items.length;
          this.remember(output.Items);
          this.queried.push(...output.Items);
        }
        if (output.Item) {
          this.reading.batchItems += 1;
          this.reading.itemsRead += 1;
          this.remember([output.Item]);
        }
        for (const items of Object.values(output.Responses ?? {})) {
          this.reading.batchItems += items.length;
          this.reading.itemsRead += items.length;
          this.remember(items);
        }
        return result;
      },
      { step: 'initialize', name: 'benchCapacityMeter', override: true },
    );
  }
}

function numberSize(value: number | bigint): number {
  const digits = String(value)
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Size in bytes of a value as DynamoDB stores it (unmarshalled JS value). */
export function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const member of value) size += valueSize(member);
    return size;
  }
  if (Array.isArray(value)) {
    return 3 + value.reduce((sum: number, element) => sum + valueSize(element) + 1, 0);
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value)) {
      size += Buffer.byteLength(name, 'utf8') + valueSize(element) + 1;
    }
    return size;
  }
  throw new Error(`valueSize: unsupported ${typeof value}`);
}

/** Size of an item: attribute names plus values. */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return size;
}

/** RCU of reading these bytes in one Query (eventually consistent: 0.5 per started 4 KB). */
export const queryRcu = (bytes: number): number => Math.ceil(bytes / 4096) * 0.5;

/** RCU of reading one item with a strongly consistent Get/BatchGet (1 per started 4 KB). */
export const consistentItemRcu = (bytes: number): number => Math.max(1, Math.ceil(bytes / 4096));
