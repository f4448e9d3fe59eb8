/**
 * A tiny in-memory stand-in for the table, used two ways:
 *
 * - as a *capture* table: the real `lib/` writers (createWorkspace, createUser, createPost,
 *   commitAttachment, …) run against it, so the items the benchmark writes in bulk or serves
 *   from mocks are built by production code, not re-spelled here;
 * - as the answer book of the in-process mocks (`GetCommand` / `BatchGetCommand`).
 *
 * It understands Put, Get, BatchGet and the Put items of TransactWrite. Conditions are not
 * evaluated (seeding only writes consistent data); anything else throws.
 */
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  GetCommand,
  type GetCommandInput,
  type GetCommandOutput,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { itemKeyString } from '../../lib/db/batch-get.ts';
import type { TableContext } from '../../lib/db/client.ts';
import type { ItemKey } from '../../lib/db/keys.ts';

export type Item = Record<string, unknown> & ItemKey;

export class MemoryTable {
  readonly items = new Map<string, Item>();
  /** Items in write order since the last `drain()` (what a bulk loader should send). */
  private written: Item[] = [];

  constructor(readonly tableName = 'bench') {}

  /** A TableContext whose client is this table (cast: only `send` is ever used). */
  context(): TableContext {
    const db = { send: (command: unknown) => this.send(command) };
    return { db: db as unknown as TableContext['db'], tableName: this.tableName };
  }

  put(item: Item): void {
    this.items.set(itemKeyString(item), item);
    this.written.push(item);
  }

  get(key: ItemKey): Item | undefined {
    return this.items.get(itemKeyString(key));
  }

  /** Items written since the previous call, oldest first. */
  drain(): Item[] {
    const out = this.written;
    this.written = [];
    return out;
  }

  getOutput(input: GetCommandInput): GetCommandOutput {
    const item = this.get(input.Key as ItemKey);
    return { $metadata: {}, ...(item ? { Item: structuredClone(item) } : {}) };
  }

  batchGetOutput(input: BatchGetCommandInput): BatchGetCommandOutput {
    const Responses: Record<string, Item[]> = {};
    for (const [table, request] of Object.entries(input.RequestItems ?? {})) {
      Responses[table] = (request.Keys ?? [])
        .map((key) => this.get(key as ItemKey))
        .filter((item): item is Item => item !== undefined)
        .map((item) => structuredClone(item));
    }
    return { $metadata: {}, Responses, UnprocessedKeys: {} };
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof PutCommand) {
      this.put(command.input.Item as Item);
      return { $metadata: {} };
    }
    if (command instanceof TransactWriteCommand) {
      for (const entry of command.input.TransactItems ?? []) {
        if (entry.Put) this.put(entry.Put.Item as Item);
        else if (!entry.ConditionCheck) {
          throw new Error('MemoryTable: only Put and ConditionCheck in transactions');
        }
      }
      return { $metadata: {} };
    }
    if (command instanceof GetCommand) return this.getOutput(command.input);
    if (command instanceof BatchGetCommand) return this.batchGetOutput(command.input);
    throw new Error(`MemoryTable: unsupported command ${(command as object).constructor.name}`);
  }
}
