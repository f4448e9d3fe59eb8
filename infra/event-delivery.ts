/**
 * Domain events from the table's change stream (issue 11, "events that cannot be lost"): the
 * `stream-events` function reads the stream (DynamoDB Streams event source) and puts each
 * committed change's events on the bus (`lib/events/stream-delivery.ts`). An event exists if
 * and only if its change committed, whoever made the change (API, CLI, sweeps, TTL).
 *
 * A Lambda consumer rather than EventBridge Pipes: one change can be several events, TTL
 * removals need the record's `userIdentity`, and event ids derive from the stream record; a
 * Pipe would need this same function as its enrichment step anyway, plus a second retry and
 * dead-letter configuration around it. The function's partial batch response (the records
 * whose PutEvents entries failed, `FailedEntryCount`) lets Lambda retry from the first failed
 * record only; a batch that keeps failing is bisected until the failing record is alone, and
 * after `STREAM_RETRIES` retries its position (shard, sequence numbers, not the records) goes to
 * the dead-letter queue. The records stay readable in the stream for 24 hours: an operator who
 * is paged re-reads them from there (README "Operate").
 *
 * Alarms: the oldest record waiting (iterator age) and any message in the dead-letter queue.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { type Alarm, GraphWidget, type IMetric, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  FilterCriteria,
  FilterRule,
  type IFunction,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { keys } from '../lib/db/keys.ts';
import { tableDefinition } from '../lib/db/table-definition.ts';

/**
 * Only attachment records have events (`from-stream-record.ts`): the event source mapping drops
 * every other record (API keys, rate-limit counters, idempotency records, upload sessions)
 * before invoking the function, so request-guard writes cost no invocation.
 */
export const ATTACHMENT_RECORDS_ONLY = {
  dynamodb: {
    Keys: { [tableDefinition.partitionKey]: { S: FilterRule.beginsWith(keys.attachment('').PK) } },
  },
};

/** The function (folder under `functions/`) that turns stream records into events. */
export const STREAM_EVENTS_FUNCTION = 'stream-events';

/**
 * How the stream is read. Batches of up to 100 records (ten PutEvents calls); up to
 * `parallelizationFactor` batches per shard at once (records of one item stay in order): a
 * shard takes up to 1,000 writes/s, one batch publishes ~300 records/s (docs/capacity.md).
 * Retried 10 times with bisection, then the position goes to the dead-letter queue; a record
 * is never older than the stream's 24-hour retention anyway.
 */
export const STREAM_READING = {
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(0),
  parallelizationFactor: 5,
  retryAttempts: 10,
  maxRecordAge: Duration.hours(24),
} as const;

/** Minutes the oldest unread stream record may wait before it pages. */
export const ITERATOR_AGE_ALARM_MINUTES = 5;
/** A message in the dead-letter queue pages at once: its records leave the stream in 24 h. */
export const DEAD_LETTER_ALARM_SECONDS = 60;

export interface EventDeliveryProps {
  table: ITableV2;
  /** The `stream-events` function (created by the service with its access entry). */
  function: IFunction;
  /** Creates an alarm on the service's alarm topic; absent when alarms are off. */
  addAlarm?: (
    id: string,
    metric: IMetric,
    options: { threshold: number; description: string; evaluationPeriods?: number },
  ) => Alarm | undefined;
}

export class EventDelivery extends Construct {
  /** Positions of stream records given up on (their records are in the stream for 24 h). */
  readonly deadLetterQueue: Queue;
  readonly eventSource: DynamoEventSource;
  private readonly fn: IFunction;

  constructor(scope: Construct, id: string, props: EventDeliveryProps) {
    super(scope, id);
    this.fn = props.function;
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the on-failure destination of the stream-events function; a ' +
        'dead-letter queue of its own would only move the same messages one queue further.',
    });
    this.eventSource = new DynamoEventSource(props.table, {
      // A new stream starts empty: nothing before the first deployment is missed.
      startingPosition: StartingPosition.TRIM_HORIZON,
      ...STREAM_READING,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.deadLetterQueue),
      filters: [FilterCriteria.filter(ATTACHMENT_RECORDS_ONLY)],
    });
    props.function.addEventSource(this.eventSource);

    props.addAlarm?.(
      'StreamEventsIteratorAgeAlarm',
      props.function.metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' }),
      {
        threshold: Duration.minutes(ITERATOR_AGE_ALARM_MINUTES).toMilliseconds(),
        description:
          `Domain events are >= ${ITERATOR_AGE_ALARM_MINUTES} minutes behind the table's ` +
          'changes (stream-events failing or throttled); the stream keeps records 24 hours.',
      },
    );
    props.addAlarm?.(
      'StreamEventsDeadLetterAlarm',
      this.deadLetterQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      {
        threshold: DEAD_LETTER_ALARM_SECONDS,
        description:
          'stream-events gave up on stream records: their events are not on the bus. Re-read ' +
          'the positions in the message from the stream within 24 hours (README "Operate").',
      },
    );
  }

  /** The dashboard's row for event delivery. */
  widgets(): IWidget[] {
    const period = Duration.minutes(5);
    return [
      new GraphWidget({
        title: 'Domain events: stream iterator age (max, ms)',
        left: [this.fn.metric('IteratorAge', { period, statistic: 'Maximum' })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Domain events: given up (dead-letter queue)',
        left: [this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period })],
        width: 12,
      }),
    ];
  }
}
