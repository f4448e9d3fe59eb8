/**
 * Storage events under `npm start`: the local S3 server reports every object write, and those
 * the deployed EventBridge rule matches (created in the media bucket under `uploads/`) go to
 * the same processing handler the Lambda runs, each as a batch of one SQS message whose body is
 * the notification (deployed: S3 → EventBridge → SQS → Lambda). They are asynchronous (the
 * write has already been answered) and a failed message (`batchItemFailures`, or a thrown
 * error) is retried twice, a little later, as the queue redelivers it. Each attempt is an
 * invocation of its own (`invocation-scope.ts`): its log lines carry its own `correlationId`.
 *
 * Must not import `lib/config.ts` (the stack sets the environment first): the handler is
 * loaded on the first event.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../lib/logger.ts';
import { createdMediaObjects } from '../lib/processing/storage-events.ts';
import { runInvocation } from './invocation-scope.ts';

export type StorageEventHandler = (event: SQSEvent) => Promise<unknown>;

export interface LocalStorageEventsOptions {
  bucketName: string;
  loadHandler: () => Promise<StorageEventHandler>;
  /** Pauses before the retries; default 1 s, then 2 s. */
  retryDelaysMs?: readonly number[];
  /** A delivery that failed every attempt; default one line on stderr. */
  onError?: (error: unknown) => void;
}

export class LocalStorageEvents {
  private readonly inFlight = new Set<Promise<void>>();
  private handler: Promise<StorageEventHandler> | undefined;
  private stopped = false;

  constructor(private readonly options: LocalStorageEventsOptions) {}

  /** For the S3 server's `event` listener: never throws (it would fail the S3 request). */
  readonly dispatch = (notification: unknown): void => {
    if (this.stopped) return;
    if (createdMediaObjects(notification, this.options.bucketName).length === 0) return;
    const delivery: Promise<void> = this.deliver(notification).finally(() =>
      this.inFlight.delete(delivery),
    );
    this.inFlight.add(delivery);
  };

  /** Resolves once every event dispatched so far has been handled (or has given up). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Takes no new events, lets those in progress finish (without further retries). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async deliver(notification: unknown): Promise<void> {
    const delays = this.options.retryDelaysMs ?? [1_000, 2_000];
    for (let attempt = 0; ; attempt++) {
      try {
        this.handler ??= this.options.loadHandler().catch((error: unknown) => {
          this.handler = undefined; // load again on the next attempt
          throw error;
        });
        const handler = await this.handler;
        const response = await runInvocation((correlationId) => {
          logger.appendKeys({ correlationId, trigger: 's3:ObjectCreated' });
          return handler(queueBatchOf(notification));
        });
        const { batchItemFailures } = (response ?? {}) as Partial<SQSBatchResponse>;
        if (batchItemFailures?.length) throw new Error('processing failed (see its log lines)');
        return;
      } catch (error) {
        const delay = delays[attempt];
        if (delay === undefined || this.stopped) {
          this.report(error);
          return;
        }
        await new Promise((done) => setTimeout(done, delay).unref());
      }
    }
  }

  private report(error: unknown): void {
    if (this.options.onError) this.options.onError(error);
    else process.stderr.write(`storage event processing failed: ${(error as Error).message}\n`);
  }
}

/** A notification as the one message of an SQS batch, the shape the deployed queue delivers. */
function queueBatchOf(notification: unknown): SQSEvent {
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: '',
        body: JSON.stringify(notification),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: now,
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:processing',
        awsRegion: 'local',
      },
    ],
  };
}
