/**
 * Processing of stored media (thumbnails, metadata backfill), fed by the processing queue: S3
 * "Object Created" events go through EventBridge into SQS, and Lambda hands this function
 * batches of messages (under `npm start`, the local S3 server's notifications arrive wrapped
 * the same way). Not an HTTP route.
 *
 * A thin batch handler over `processStoredObject`: Powertools' batch processor runs the
 * messages one after the other (each decode takes the function's CPU; in parallel they would
 * only add up memory) and answers `batchItemFailures` with the ones that threw (a record not
 * committed yet, an outage), so only those return to the queue and are retried; the queue's
 * redrive policy moves a message that keeps failing to the dead-letter queue. Every step is
 * idempotent (see `lib/processing/process-media.ts`), so a redelivered message is harmless.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { logger } from '../../lib/logger.ts';
import type { InvocationMetrics } from '../../lib/observability/metrics.ts';
import { timedProcessing, workerHandler } from '../../lib/observability/worker.ts';
import { processStoredObject } from '../../lib/processing/process-media.ts';
import { createdMediaObjectsInMessage } from '../../lib/processing/storage-events.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';

const deps = {
  table: createTableContext(config),
  store: mediaStoreFrom(config),
};

async function processMessage(record: SQSRecord, metrics: InvocationMetrics): Promise<void> {
  const { messageId } = record;
  const objects = createdMediaObjectsInMessage(record.body, config.bucketName);
  if (objects.length === 0) logger.warn('queue message names no stored file', { messageId });
  for (const object of objects) {
    try {
      const outcome = await timedProcessing(metrics, () => processStoredObject(deps, object));
      logger.info('stored object processed', { key: object.key, outcome, messageId });
    } catch (error) {
      logger.error('stored object processing failed; the message is retried', {
        key: object.key,
        messageId,
        error,
      });
      throw error;
    }
  }
}

export const handler = workerHandler(async (event: SQSEvent, metrics, context) =>
  processPartialResponse(
    event,
    (record: SQSRecord) => processMessage(record, metrics),
    // One per invocation: a processor keeps the batch's state (`npm start` overlaps invocations).
    new BatchProcessor(EventType.SQS),
    { context, processInParallel: false },
  ),
);
