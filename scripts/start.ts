/**
 * `npm start`: the whole API locally (operations.md, "The embedded default"). DynamoDB Local and
 * an S3-compatible server keep their data under DATA_DIR; the first start seeds a demo
 * workspace with sample files (`local/demo.ts`). `GET /health` answers 200 only once the demo's
 * keys are printed and `demo.json` exists. Ctrl-C / SIGTERM stops everything and exits 0, and so
 * does the death of the parent process (npm killed outright).
 */
import { resolve } from 'node:path';
import { intFromEnv } from '../lib/env.ts';
import { parseStorageMode } from '../lib/storage/modes.ts';
import { demoBanner, loadOrSeedDemo, writeDemoEnv } from '../local/demo.ts';
import { onParentExit } from '../local/parent-exit.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';

async function main(): Promise<void> {
  let stack: LocalStack | undefined;
  let starting: Promise<LocalStack> | undefined;
  let shuttingDown = false;

  const shutdown = async (code: number, reason?: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (reason) console.error(reason);
    // A force-exit if stopping hangs; the stores' exit hook still kills DynamoDB Local.
    setTimeout(() => process.exit(code || 1), 15_000).unref();
    try {
      const running = stack ?? (await starting?.catch(() => undefined));
      await running?.stop();
    } catch (error) {
      console.error(`error while stopping: ${(error as Error).message}`);
      code = 1;
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (shuttingDown) return;
      console.log(`\n${signal}: stopping the API and the local stores…`);
      void shutdown(0);
    });
  }
  // npm (or whatever started us) killed without a chance to pass a signal on: stop as on SIGTERM
  // rather than leave the API and DynamoDB Local running with no one to stop them.
  onParentExit(() => {
    if (shuttingDown) return;
    console.log('\nThe parent process exited: stopping the API and the local stores…');
    void shutdown(0);
  });

  try {
    const dataDir = resolve(process.env.DATA_DIR || '.data');
    starting = startLocalStack({
      port: intFromEnv('PORT', 3000, { min: 0 }),
      host: process.env.HOST || '127.0.0.1',
      dataDir,
      dynamoPort: intFromEnv('DYNAMODB_PORT', 8000, { min: 0 }),
      s3Port: intFromEnv('S3_PORT', 4569, { min: 0 }),
      gracePeriodSeconds: intFromEnv('MEDIA_GRACE_PERIOD_SECONDS', undefined),
      maxUploadBytes: intFromEnv('MEDIA_MAX_UPLOAD_BYTES', undefined),
      // Ready (health 200) only once the demo's keys are printed, below.
      holdHealthUntilReady: true,
      tableName: process.env.TABLE_NAME || undefined,
      bucketName: process.env.BUCKET_NAME || undefined,
      // A store the user runs instead of the embedded S3 server (README "Storage").
      externalS3: process.env.S3_ENDPOINT
        ? {
            endpoint: process.env.S3_ENDPOINT,
            mode: parseStorageMode(process.env.MEDIA_STORAGE_MODE),
          }
        : undefined,
    });
    stack = await starting;
    if (shuttingDown) return;

    const { demo, seeded } = await loadOrSeedDemo(stack);
    await writeDemoEnv(stack, demo);
    if (shuttingDown) return;
    console.log(demoBanner(stack, demo, seeded));
    stack.markReady();

    stack.failure.catch((error: Error) => {
      // On a terminal Ctrl-C the JVM gets SIGINT too and may exit before our handler runs.
      setTimeout(() => void shutdown(1, `npm start: ${error.message}; shutting down.`), 500);
    });
  } catch (error) {
    if (shuttingDown) return;
    await shutdown(1, `npm start failed: ${(error as Error).message}`);
  }
}

await main();
