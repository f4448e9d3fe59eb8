/**
 * The table's change stream (DynamoDB Streams event source) → domain events on the service's
 * EventBridge bus. Not an HTTP route. Answers with the records to retry (partial batch
 * response, `lib/events/stream-delivery.ts`); see `infra/event-delivery.ts` for the retries,
 * the bisection of failing batches and the dead-letter queue.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { config } from '../../lib/config.ts';
import { eventBridgePublisherFrom } from '../../lib/events/publisher.ts';
import { deliverChanges, type StreamEventRecord } from '../../lib/events/stream-delivery.ts';
import { logger } from '../../lib/logger.ts';
import { MetricUnit } from '../../lib/observability/metrics.ts';
import { workerHandler } from '../../lib/observability/worker.ts';

const bus = eventBridgePublisherFrom(config);

export const handler = workerHandler(async (event: DynamoDBStreamEvent, metrics) => {
  const { batchItemFailures, report } = await deliverChanges(
    event.Records as StreamEventRecord[],
    bus,
    (message, details) => logger.error(message, details),
  );
  metrics.publish([
    ['DomainEventsPublished', MetricUnit.Count, report.published],
    ...(report.failedRecords > 0
      ? [['StreamRecordsFailed', MetricUnit.Count, report.failedRecords] as const]
      : []),
  ]);
  logger.info('stream records delivered', { ...report });
  return { batchItemFailures };
});
