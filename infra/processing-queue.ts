/**
 * Storage events buffered before processing: S3 "Object Created" events of stored files go from
 * the default bus into an SQS queue, and Lambda's SQS event source hands `process-media`
 * batches of them. A burst of uploads waits in the queue (for days, not the hour an
 * asynchronous invocation waits) while processing scales up at its own pace; a message that
 * keeps failing moves to the dead-letter queue, whose age pages.
 *
 * - Batches of up to `PROCESSING_BATCH_SIZE` messages, processed one after the other by the
 *   handler; only the failed ones return to the queue (`reportBatchItemFailures`).
 * - Visibility timeout: 6 × the function's timeout (AWS's guidance for SQS event sources, so a
 *   batch still being retried by Lambda after a throttle is not handed out again meanwhile).
 *   It is also the pause before a failed message is retried.
 * - After `PROCESSING_MAX_RECEIVES` receives a message moves to the dead-letter queue (given,
 *   so its identity and messages survive changes here). A standard queue keeps a message's
 *   original enqueue time in the dead-letter queue, so the queue keeps messages 4 days, less
 *   than the dead-letter queue's 14: a dead letter has at least ten days to be re-sent.
 * - No reserved concurrency: `maxConcurrency` (optional) caps how many batches the event
 *   source runs at once, so processing cannot take the account's whole concurrency, without
 *   reserving any (a reservation fails to deploy in an account with a low quota).
 */
import { Duration } from 'aws-cdk-lib';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PROCESSED_PREFIX } from '../lib/processing/storage-events.ts';

/** Messages per invocation (Lambda's default for SQS, and the most a standard queue returns per poll). */
export const PROCESSING_BATCH_SIZE = 10;
/** Receives before a message is given up on (about an hour at a 120 s function timeout). */
export const PROCESSING_MAX_RECEIVES = 5;
/** AWS: the source queue's visibility timeout at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Shorter than the dead-letter queue's retention (see above). */
export const QUEUE_RETENTION = Duration.days(4);

export interface ProcessingQueueProps {
  stageName: string;
  /**
   * Where messages given up on go: by the queue after `PROCESSING_MAX_RECEIVES` failed
   * receives, or by EventBridge when it could not deliver an event to the queue at all.
   */
  deadLetterQueue: IQueue;
  /** The media bucket, whose EventBridge notifications are on. */
  bucket: IBucket;
  /** `process-media`. */
  processor: IFunction;
  /** The processor's timeout (the queue's visibility timeout follows from it). */
  processorTimeout: Duration;
  /** The event source's maximum concurrency (2–1000). @default none: as far as the account allows */
  maxConcurrency?: number;
}

export class ProcessingQueue extends Construct {
  readonly queue: Queue;
  /** The default-bus rule that sends the bucket's "Object Created" events under `uploads/`. */
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ProcessingQueueProps) {
    super(scope, id);
    const { deadLetterQueue } = props;
    this.queue = new Queue(this, 'Queue', {
      // SSE-SQS: EventBridge can send to it (a queue under the AWS managed KMS key it cannot).
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      visibilityTimeout: Duration.seconds(
        VISIBILITY_TIMEOUT_FACTOR * props.processorTimeout.toSeconds(),
      ),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: PROCESSING_MAX_RECEIVES },
    });
    this.rule = new Rule(this, 'OnObjectCreated', {
      description: `media-service ${props.stageName}: queue new stored files for processing`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: { key: Match.prefix(PROCESSED_PREFIX) },
        },
      },
      // The whole event is the message body. When EventBridge cannot deliver an event to the
      // queue (after its own retries, up to 24 h), the event lands in the dead-letter queue.
      targets: [new SqsQueue(this.queue, { deadLetterQueue })],
    });
    props.processor.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: PROCESSING_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
  }
}
