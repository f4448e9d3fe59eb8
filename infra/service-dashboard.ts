/**
 * The service's CloudWatch dashboard: one page an operator reads top to bottom (README
 * "Operate"): alarms, API traffic and latency, per-function health, the table, processing and
 * event delivery, then the service's own metrics (lib/observability/metrics.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IRule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const PERIOD = Duration.minutes(5);
const WIDTH = 8;

export interface ServiceDashboardProps {
  stageName: string;
  api: HttpApi;
  functions: ReadonlyMap<string, IFunction>;
  table: ITableV2;
  processingQueue: IQueue;
  processingRule: IRule;
  deadLetterQueue: IQueue;
  alarms: readonly Alarm[];
  metricsNamespace: string;
  serviceName: string;
}

export class ServiceDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const { api, table } = props;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `media-service-${props.stageName}`,
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: WIDTH, height: 6 });
    const perFunction = (title: string, metric: (fn: IFunction) => IMetric) =>
      new GraphWidget({
        title,
        left: [...props.functions.values()].map(metric),
        width: WIDTH,
        height: 6,
        legendPosition: undefined,
      });
    const search = (label: string, dimensions: string, metricName: string, stat: string) =>
      new MathExpression({
        label,
        expression:
          `SEARCH('{${props.metricsNamespace},${dimensions}} MetricName="${metricName}" ` +
          `service="${props.serviceName}"', '${stat}', ${PERIOD.toSeconds()})`,
        usingMetrics: {},
        period: PERIOD,
      });
    const tableMetric = (metricName: string, statistic = 'Sum') =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: table.tableName },
        period: PERIOD,
        statistic,
      });

    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# media-service ${props.stageName}\n` +
          'What each alarm means and the first response: README "Operate".',
        width: 24,
        height: 2,
      }),
    );
    if (props.alarms.length > 0) {
      this.dashboard.addWidgets(
        new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }),
      );
    }
    this.dashboard.addWidgets(
      graph(
        'API requests and errors',
        [api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'requests' })],
        [
          api.metricClientError({ period: PERIOD, statistic: 'Sum', label: '4xx' }),
          api.metricServerError({ period: PERIOD, statistic: 'Sum', label: '5xx' }),
        ],
      ),
      graph('API latency (ms)', [
        api.metricLatency({ period: PERIOD, statistic: 'p50', label: 'p50' }),
        api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'p99' }),
        api.metricIntegrationLatency({
          period: PERIOD,
          statistic: 'p99',
          label: 'integration p99',
        }),
      ]),
      graph('API 5xx rate (%)', [
        new MathExpression({
          label: '5xx rate',
          expression: 'IF(requests > 0, 100 * errors / requests, 0)',
          usingMetrics: {
            errors: api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
            requests: api.metricCount({ period: PERIOD, statistic: 'Sum' }),
          },
          period: PERIOD,
        }),
      ]),
    );
    this.dashboard.addWidgets(
      perFunction('Invocations', (fn) =>
        fn.metricInvocations({ period: PERIOD, statistic: 'Sum' }),
      ),
      perFunction('Errors', (fn) => fn.metricErrors({ period: PERIOD, statistic: 'Sum' })),
      perFunction('Throttles', (fn) => fn.metricThrottles({ period: PERIOD, statistic: 'Sum' })),
    );
    this.dashboard.addWidgets(
      perFunction('Duration p99 (ms)', (fn) =>
        fn.metricDuration({ period: PERIOD, statistic: 'p99' }),
      ),
      perFunction('Concurrent executions', (fn) =>
        fn.metric('ConcurrentExecutions', { period: PERIOD, statistic: 'Maximum' }),
      ),
      graph(
        'DynamoDB consumed capacity and throttles',
        [tableMetric('ConsumedReadCapacityUnits'), tableMetric('ConsumedWriteCapacityUnits')],
        [tableMetric('ReadThrottleEvents'), tableMetric('WriteThrottleEvents')],
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Processing backlog and dead letters',
        [
          props.processingQueue.metricApproximateAgeOfOldestMessage({
            period: PERIOD,
            statistic: 'Maximum',
            label: 'oldest queued event (s)',
          }),
          props.processingQueue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: 'Maximum',
            label: 'queued events',
          }),
        ],
        [
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: 'Maximum',
            label: 'dead letters',
          }),
        ],
      ),
      graph('Event delivery (stored files → processing)', [
        ...['Invocations', 'FailedInvocations', 'InvocationsSentToDlq'].map(
          (metricName) =>
            new Metric({
              namespace: 'AWS/Events',
              metricName,
              dimensionsMap: { RuleName: props.processingRule.ruleName },
              period: PERIOD,
              statistic: 'Sum',
            }),
        ),
      ]),
      graph(
        'Processing duration by outcome (ms, p99)',
        [search('duration', 'service,outcome', 'ProcessingDuration', 'p99')],
        [search('failures', 'service', 'ProcessingFailures', 'Sum')],
      ),
    );
    this.dashboard.addWidgets(
      graph('Requests by route', [search('requests', 'service,route', 'Requests', 'Sum')]),
      graph('Latency by route (ms, p99)', [search('latency', 'service,route', 'Latency', 'p99')]),
      graph('Rejects by route and code', [
        search('rejects', 'service,route,code', 'Rejects', 'Sum'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Upload bytes by file type', [
        search('bytes', 'service,route,fileType', 'UploadBytes', 'Sum'),
      ]),
      graph('Uploads by file type', [
        search('uploads', 'service,route,fileType', 'UploadBytes', 'SampleCount'),
      ]),
      graph('Sweep progress (items per result)', [
        search('items', 'service,sweep,result', 'SweepItems', 'Sum'),
      ]),
    );
  }
}
