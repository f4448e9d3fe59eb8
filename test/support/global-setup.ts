/**
 * Vitest global setup of the `integration` project: ONE local stack (DynamoDB Local + s3rver +
 * the API Gateway stand-in, all on free ports, data in a temp dir) for the whole run. It runs in
 * Vitest's main process; test files run in workers and reach it through the provided values
 * (see `test/support/stack.ts`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { LocalStack } from '../../local/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    dynamoEndpoint: string;
    s3Endpoint: string;
    tableName: string;
    bucketName: string;
    dataDir: string;
    gracePeriodSeconds: number;
    maxUploadBytes: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The handlers run in this process: keep their logs quiet too.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  // 2 shards: every workspace-wide list still merges shards, yet the walks at page size 1 stay
  // affordable on 2 cores (a page reads every shard at least once). The default (16) is covered
  // by the unit tests and measured by the bench. Test workers inherit this environment.
  process.env.MEDIA_INDEX_SHARDS ??= '2';
  // The stack's handlers print EMF metric lines (as under npm start): not into the test output.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const dataDir = await mkdtemp(join(tmpdir(), 'media-it-'));
  let stack: LocalStack | undefined;
  try {
    // Imported here, not at the top: the stack sets the environment the handlers read.
    const { startLocalStack } = await import('../../local/stack.ts');
    stack = await startLocalStack({ port: 0, dataDir, dynamoPort: 0, s3Port: 0 });
    const { loadConfig } = await import('../../lib/config.ts');
    const config = loadConfig();
    project.provide('apiUrl', stack.url);
    project.provide('dynamoEndpoint', stack.dynamoEndpoint);
    project.provide('s3Endpoint', stack.s3Endpoint);
    project.provide('tableName', stack.tableName);
    project.provide('bucketName', stack.bucketName);
    project.provide('dataDir', stack.dataDir);
    project.provide('gracePeriodSeconds', config.gracePeriodSeconds);
    project.provide('maxUploadBytes', config.maxUploadBytes);
  } catch (error) {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const running = stack;
  return async () => {
    await running.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
