/**
 * Processing of stored media (thumbnails, metadata backfill) on S3 "Object Created" events:
 * EventBridge on AWS, the local S3 server's notifications under `npm start`. Not an HTTP
 * route. A thrown error (a record not committed yet, an outage) fails the invocation so the
 * platform retries it; every step is idempotent (see `lib/processing/process-media.ts`).
 */
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { logger } from '../../lib/logger.ts';
import { timedProcessing, workerHandler } from '../../lib/observability/worker.ts';
import { processStoredObject } from '../../lib/processing/process-media.ts';
import { createdMediaObjects } from '../../lib/processing/storage-events.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';

const deps = {
  table: createTableContext(config),
  store: mediaStoreFrom(config),
};

export const handler = workerHandler(async (event: unknown, metrics) => {
  const results = [];
  for (const object of createdMediaObjects(event, config.bucketName)) {
    const outcome = await timedProcessing(metrics, () => processStoredObject(deps, object));
    logger.info('stored object processed', { key: object.key, outcome });
    results.push({ key: object.key, outcome });
  }
  return results;
});
