/**
 * Alarms that page, each on a rate or an age rather than "one error", so a single retried
 * hiccup does not wake anyone and a real degradation does. Every alarm notifies the alarm topic
 * (and any extra actions) on ALARM and the topic again on OK. What each one means and the first
 * response: README "Operate".
 *
 * | alarm                        | condition (defaults)                                           |
 * | ---------------------------- | -------------------------------------------------------------- |
 * | API 5xx rate                 | ≥ 5 % of requests in 5 min (with ≥ 20 requests)                |
 * | API p99 latency              | p99 > 1000 ms in 3 consecutive 5-min periods                   |
 * | function error rate (each)   | failed invocations ≥ 5 % in 5 min (HTTP: with ≥ 20 invocations; workers: any run) |
 * | function throttle rate (each)| throttled ≥ 1 % of invocation attempts in 5 min (not processing) |
 * | DynamoDB throttling          | ≥ 10 throttled requests per minute in 2 consecutive 5-min periods |
 * | processing backlog age       | oldest message in the processing queue ≥ 15 min                |
 * | processing dead letters age  | oldest dead-lettered event ≥ 5 min (nobody re-sent it)         |
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pascal } from './construct-ids.ts';

export const ALARM_PERIOD = Duration.minutes(5);

export interface AlarmThresholds {
  apiServerErrorRatePercent: number;
  apiMinimumRequests: number;
  apiLatencyP99Ms: number;
  functionErrorRatePercent: number;
  functionThrottleRatePercent: number;
  tableThrottlesPerMinute: number;
  processingBacklogMinutes: number;
  deadLetterAgeMinutes: number;
}

export interface ServiceAlarmsProps {
  stageName: string;
  topic: ITopic;
  actions: readonly IAlarmAction[];
  thresholds: AlarmThresholds;
}

export class ServiceAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  private readonly props: ServiceAlarmsProps;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.props = props;
  }

  /** An alarm on `metric` ≥ `threshold`, wired to the topic and actions. */
  add(
    id: string,
    metric: IMetric,
    options: {
      threshold: number;
      description: string;
      evaluationPeriods?: number;
      comparison?: ComparisonOperator;
    },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator:
        options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `[media-service ${this.props.stageName}] ${options.description}`,
    });
    const topic = new SnsAction(this.props.topic);
    alarm.addAlarmAction(topic, ...this.props.actions);
    alarm.addOkAction(topic);
    this.alarms.push(alarm);
    return alarm;
  }

  /** 5xx share of requests and p99 latency of the HTTP API. */
  addApi(api: HttpApi): void {
    const t = this.props.thresholds;
    const period = ALARM_PERIOD;
    this.add(
      'ApiServerErrorRateAlarm',
      new MathExpression({
        expression: `IF(requests >= ${t.apiMinimumRequests}, 100 * errors / requests, 0)`,
        usingMetrics: {
          errors: api.metricServerError({ period, statistic: 'Sum' }),
          requests: api.metricCount({ period, statistic: 'Sum' }),
        },
        period,
        label: 'API 5xx rate (%)',
      }),
      {
        threshold: t.apiServerErrorRatePercent,
        description:
          `API 5xx responses >= ${t.apiServerErrorRatePercent}% of requests over 5 minutes ` +
          `(>= ${t.apiMinimumRequests} requests).`,
      },
    );
    this.add('ApiLatencyP99Alarm', api.metricLatency({ period, statistic: 'p99' }), {
      threshold: t.apiLatencyP99Ms,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      description:
        `API p99 latency above the ${t.apiLatencyP99Ms} ms budget for 15 minutes ` +
        '(3 consecutive 5-minute periods).',
    });
  }

  /**
   * Error rate of a function and, unless `throttles` is false, its throttle rate. HTTP
   * functions are judged from `apiMinimumRequests` invocations; a worker from its first run.
   */
  addFunction(name: string, fn: IFunction, options: { http: boolean; throttles: boolean }): void {
    const t = this.props.thresholds;
    const period = ALARM_PERIOD;
    const min = options.http ? t.apiMinimumRequests : 1;
    const invocations = fn.metricInvocations({ period, statistic: 'Sum' });
    this.add(
      `${pascal(name)}ErrorRateAlarm`,
      new MathExpression({
        expression: `IF(invocations >= ${min}, 100 * errors / invocations, 0)`,
        usingMetrics: { errors: fn.metricErrors({ period, statistic: 'Sum' }), invocations },
        period,
        label: `${name} error rate (%)`,
      }),
      {
        threshold: t.functionErrorRatePercent,
        description:
          `Function ${name}: ${t.functionErrorRatePercent}% or more of its invocations failed ` +
          `(crash, timeout or init error) over 5 minutes (>= ${min} invocations); handled API ` +
          'errors are answered and not counted here.',
      },
    );
    if (!options.throttles) return;
    this.add(
      `${pascal(name)}ThrottleRateAlarm`,
      new MathExpression({
        expression:
          'IF(invocations + throttles > 0, 100 * throttles / (invocations + throttles), 0)',
        usingMetrics: { throttles: fn.metricThrottles({ period, statistic: 'Sum' }), invocations },
        period,
        label: `${name} throttle rate (%)`,
      }),
      {
        threshold: t.functionThrottleRatePercent,
        description:
          `Function ${name}: ${t.functionThrottleRatePercent}% or more of its invocations were ` +
          'throttled over 5 minutes (account or reserved concurrency exhausted).',
      },
    );
  }

  /** Throttled reads and writes on the table (base table; on-demand tables throttle too). */
  addTable(table: ITableV2): void {
    const t = this.props.thresholds;
    const period = ALARM_PERIOD;
    const events = (metricName: string) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: table.tableName },
        period,
        statistic: 'Sum',
      });
    this.add(
      'TableThrottlesAlarm',
      new MathExpression({
        expression: `(reads + writes) / ${period.toMinutes()}`,
        usingMetrics: {
          reads: events('ReadThrottleEvents'),
          writes: events('WriteThrottleEvents'),
        },
        period,
        label: 'DynamoDB throttled requests per minute',
      }),
      {
        threshold: t.tableThrottlesPerMinute,
        evaluationPeriods: 2,
        description:
          `DynamoDB throttled >= ${t.tableThrottlesPerMinute} requests per minute for 10 ` +
          'minutes (a hot partition, or on-demand scaling behind a sudden surge).',
      },
    );
  }

  /** How long stored files wait for processing, and how long a given-up one waits for a human. */
  addProcessing(queue: IQueue, deadLetterQueue: IQueue): void {
    const t = this.props.thresholds;
    const period = ALARM_PERIOD;
    this.add(
      'ProcessingBacklogAgeAlarm',
      queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      {
        threshold: Duration.minutes(t.processingBacklogMinutes).toSeconds(),
        description:
          `A stored file waited >= ${t.processingBacklogMinutes} minutes in the processing ` +
          'queue (thumbnails late: processing falls behind, is capped, or retries failing messages).',
      },
    );
    this.add(
      'ProcessingDeadLetterAgeAlarm',
      deadLetterQueue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      {
        threshold: Duration.minutes(t.deadLetterAgeMinutes).toSeconds(),
        description:
          'Processing gave up on a stored file and its event has waited in the dead-letter ' +
          `queue >= ${t.deadLetterAgeMinutes} minutes (thumbnail or metadata missing). ` +
          'Inspect, fix, re-send.',
      },
    );
  }
}
