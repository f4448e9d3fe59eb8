/**
 * Write-capacity metering without touching production code: a middleware on *this benchmark's*
 * document client asks for `ReturnConsumedCapacity: INDEXES` on every Put / Update / Delete /
 * TransactWrite / BatchWrite and adds up what DynamoDB (Local) reports, for the table and for
 * each global secondary index. DynamoDB Local charges an index only when the write changes an
 * entry in it (an attribute the index projects, or its keys), as DynamoDB does.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const METERED = new Set([
  'PutCommand',
  'PutItemCommand',
  'UpdateCommand',
  'UpdateItemCommand',
  'DeleteCommand',
  'DeleteItemCommand',
  'TransactWriteCommand',
  'TransactWriteItemsCommand',
  'BatchWriteCommand',
  'BatchWriteItemCommand',
]);

export interface WriteReading {
  /** Write capacity units charged to the table itself. */
  tableWcu: number;
  /** Write capacity units charged to each index that took a write. */
  indexWcu: Record<string, number>;
}

interface Consumed {
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

export class WriteMeter {
  private reading: WriteReading = { tableWcu: 0, indexWcu: {} };

  reset(): void {
    this.reading = { tableWcu: 0, indexWcu: {} };
  }

  read(): WriteReading {
    return { tableWcu: this.reading.tableWcu, indexWcu: { ...this.reading.indexWcu } };
  }

  install(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = (context as { commandName?: string }).commandName ?? '';
        if (!METERED.has(name)) return next(args);
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'INDEXES';
        // A refused conditional write throws: DynamoDB reports no capacity for it here.
        const result = await next(args);
        this.add((result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity);
        return result;
      },
      { step: 'initialize', name: 'benchWriteMeter', override: true },
    );
  }

  private add(consumed: Consumed | Consumed[] | undefined): void {
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      this.reading.tableWcu += entry.Table?.CapacityUnits ?? 0;
      for (const [index, units] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) {
        const wcu = units.CapacityUnits ?? 0;
        if (wcu > 0) this.reading.indexWcu[index] = (this.reading.indexWcu[index] ?? 0) + wcu;
      }
    }
  }
}
