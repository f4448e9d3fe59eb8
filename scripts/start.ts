/**
 * `npm start`: the whole API locally (operations.md, "The embedded default"). DynamoDB Local and
 * an S3-compatible server keep their data under DATA_DIR; the first start seeds a demo
 * workspace and keeps its ids and keys in `${DATA_DIR}/demo.json` (local dev secrets; DATA_DIR
 * is git-ignored). Ctrl-C / SIGTERM stops everything and exits 0.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DemoSeed } from '../lib/directory/admin/demo.ts';
import { intFromEnv } from '../lib/env.ts';
import { parseStorageMode } from '../lib/storage/modes.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';

function isDemoSeed(value: unknown): value is DemoSeed {
  const seed = value as DemoSeed | null;
  return (
    typeof seed?.workspaceId === 'string' &&
    ['owner', 'admin', 'member'].every(
      (role) => typeof seed.users?.[role as keyof DemoSeed['users']]?.key === 'string',
    )
  );
}

async function loadOrSeedDemo(stack: LocalStack, file: string): Promise<DemoSeed> {
  if (existsSync(file)) {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!isDemoSeed(parsed)) throw new Error(`${file} is not a demo seed; delete it to reseed`);
    return parsed;
  }
  const { seedDemo } = await import('../lib/directory/admin/demo.ts');
  const seed = await seedDemo(stack.tableContext);
  await writeFile(file, `${JSON.stringify(seed, null, 2)}\n`, { mode: 0o600 });
  return seed;
}

function banner(stack: LocalStack, demo: DemoSeed, demoFile: string, seeded: boolean): string {
  const { owner, admin, member } = demo.users;
  return [
    '',
    `Media API running at ${stack.url}`,
    `  health   curl ${stack.url}/health`,
    `  stores   DynamoDB Local ${stack.dynamoEndpoint} · S3 ${stack.s3Endpoint}`,
    `  data     ${stack.dataDir}`,
    '',
    `Demo workspace ${demo.workspaceId} (${seeded ? 'seeded now' : 'from'} ${demoFile}):`,
    `  owner    ${owner.key}`,
    `  admin    ${admin.key}`,
    `  member   ${member.key}`,
    `  try      curl -H "Authorization: Bearer ${member.key}" ${stack.url}/api/v1/media`,
    '',
    'Ctrl-C to stop.',
    '',
  ].join('\n');
}

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

    const demoFile = join(dataDir, 'demo.json');
    const seeded = !existsSync(demoFile);
    const demo = await loadOrSeedDemo(stack, demoFile);
    if (shuttingDown) return;
    console.log(banner(stack, demo, demoFile, seeded));

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
