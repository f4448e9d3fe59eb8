/**
 * Alarms that page: every alarm notifies a destination (a given topic, or a created one with an
 * optional email subscription), prod refuses to synthesize without one, and thresholds are
 * rates or ages, not "one error".
 */
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, UNMATCHED_ROUTE_FUNCTION } from '../../functions/routes.ts';
import { stackPropsFromContext } from '../../infra/context.ts';
import {
  MediaService,
  PROCESSING_FUNCTION,
  SCHEDULED_FUNCTIONS,
} from '../../infra/media-service.ts';
import { ALARM_THRESHOLD_DEFAULTS } from '../../infra/media-service-props.ts';
import {
  type CfnTemplate,
  newApp,
  removeAssemblies,
  resourcesOf,
  synthStack,
  TEST_ALARM_TOPIC_ARN,
} from './synth.ts';

afterAll(removeAssemblies);

let synth: ReturnType<typeof synthStack>;
let json: CfnTemplate;

beforeAll(() => {
  synth = synthStack();
  json = synth.json;
});

const topic = [TEST_ALARM_TOPIC_ARN];
const ref = (id: string) => ({ Ref: id });
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  synth.stack.getLogicalId(construct.node.defaultChild as never);
const fnId = (name: string) => {
  const fn = synth.stack.service.functions.get(name)?.function;
  if (!fn) throw new Error(`no function ${name}`);
  return idOf(fn);
};
const alarms = () => resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON.
type Query = { Id: string; Expression?: string; MetricStat?: any; ReturnData?: boolean };
const expressionOf = (alarm: Record<string, unknown>) =>
  (alarm.Metrics as Query[] | undefined)?.find((m) => m.Expression)?.Expression;
const metricNames = (alarm: Record<string, unknown>) =>
  ((alarm.Metrics as Query[] | undefined) ?? [])
    .map((m) => m.MetricStat?.Metric.MetricName as string | undefined)
    .filter(Boolean)
    .sort();
/** The alarm whose metrics include `metricName` on the function `name`. */
const functionAlarm = (name: string, metricName: string) =>
  alarms().find((a) =>
    ((a.Metrics as Query[] | undefined) ?? []).some(
      (m) =>
        m.MetricStat?.Metric.MetricName === metricName &&
        JSON.stringify(m.MetricStat.Metric.Dimensions) ===
          JSON.stringify([{ Name: 'FunctionName', Value: ref(fnId(name)) }]),
    ),
  );

const httpNames = [...new Set(routes.map((r) => r.name as string)), UNMATCHED_ROUTE_FUNCTION];
const workerNames = [...SCHEDULED_FUNCTIONS.map((w) => w.name), PROCESSING_FUNCTION];

describe('alarm destinations', () => {
  it('every alarm notifies the topic on ALARM and on OK', () => {
    expect(alarms().length).toBeGreaterThan(20);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions, String(alarm.AlarmDescription)).toEqual(topic);
      expect(alarm.OKActions, String(alarm.AlarmDescription)).toEqual(topic);
      expect(alarm.TreatMissingData).toBe('notBreaching');
      // Rates (math expressions), latencies and ages: never a raw count of errors.
      const judged = expressionOf(alarm) ? 'rate' : alarm.MetricName;
      expect(['rate', 'Latency', 'ApproximateAgeOfOldestMessage', 'IteratorAge']).toContain(judged);
    }
  });

  it('creates an encrypted-in-transit topic with an email subscription when given an email', () => {
    const dev = synthStack({
      service: { stageName: 'dev', alarms: { email: 'oncall@example.com' } },
      alarmTopicArn: null,
    });
    dev.template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'media-service dev alarms',
    });
    dev.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    dev.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    const [topicId] = Object.keys(dev.template.findResources('AWS::SNS::Topic'));
    for (const [, alarm] of resourcesOf(dev.json, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toEqual([ref(topicId as string)]);
    }
  });

  it('creates a topic without subscription outside prod when given nothing', () => {
    const dev = synthStack({ service: { stageName: 'dev' }, alarmTopicArn: null });
    dev.template.resourceCountIs('AWS::SNS::Topic', 1);
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('fails prod synthesis without a destination, with a message saying what to pass', () => {
    const build = (alarms?: object) =>
      new MediaService(new Stack(newApp(), 'Prod'), 'Media', { stageName: 'prod', alarms });
    const message =
      /^MediaService: alarms need a destination in prod.*-c alarmTopicArn=.*-c alarmEmail=/;
    expect(() => build()).toThrow(message);
    expect(() => build({ enabled: false, email: 'oncall@example.com' })).toThrow(message);
    expect(() => build({ email: 'oncall@example.com' })).not.toThrow();
  });

  it('refuses a malformed email, or an email next to a given topic', () => {
    const build = (alarms: object) =>
      new MediaService(new Stack(newApp(), 'Dev'), 'Media', { stageName: 'dev', alarms });
    expect(() => build({ email: 'oncall' })).toThrow(/alarms.email must be an email address/);
    const existing = synth.stack.service.alarmTopic;
    expect(() => build({ email: 'a@example.com', topic: existing })).toThrow(
      /alarms.email is subscribed to the topic the construct creates/,
    );
  });

  it('reads alarmEmail from context', () => {
    const node = newApp().node;
    node.setContext('alarmEmail', 'oncall@example.com');
    expect(stackPropsFromContext(node).service.alarms).toEqual({ email: 'oncall@example.com' });
  });
});

describe('rate-based thresholds', () => {
  const t = ALARM_THRESHOLD_DEFAULTS;

  it('API: 5xx share of requests, judged from 20 requests', () => {
    const alarm = alarms().find((a) => metricNames(a).join() === '5xx,Count');
    expect(alarm).toMatchObject({
      Threshold: t.apiServerErrorRatePercent,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
    expect(alarm && expressionOf(alarm)).toBe(
      `IF(requests >= ${t.apiMinimumRequests}, 100 * errors / requests, 0)`,
    );
  });

  it('API: p99 latency above the budget for three 5-minute periods', () => {
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: t.apiLatencyP99Ms,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: topic,
    });
  });

  it.each(httpNames)('%s: error rate from 20 invocations, throttle rate', (name) => {
    const errors = functionAlarm(name, 'Errors');
    expect(errors).toMatchObject({ Threshold: t.functionErrorRatePercent, AlarmActions: topic });
    expect(errors && expressionOf(errors)).toBe(
      `IF(invocations >= ${t.apiMinimumRequests}, 100 * errors / invocations, 0)`,
    );
    const throttles = functionAlarm(name, 'Throttles');
    expect(throttles).toMatchObject({ Threshold: t.functionThrottleRatePercent });
    expect(throttles && expressionOf(throttles)).toBe(
      'IF(invocations + throttles > 0, 100 * throttles / (invocations + throttles), 0)',
    );
  });

  it.each(workerNames)('%s: error rate from the first run', (name) => {
    const errors = functionAlarm(name, 'Errors');
    expect(errors && expressionOf(errors)).toBe(
      'IF(invocations >= 1, 100 * errors / invocations, 0)',
    );
    // Throttled processing batches return to the queue; the backlog age pages instead.
    expect(Boolean(functionAlarm(name, 'Throttles'))).toBe(name !== PROCESSING_FUNCTION);
  });

  it('DynamoDB: throttled requests per minute, sustained for 10 minutes', () => {
    const alarm = alarms().find(
      (a) => metricNames(a).join() === 'ReadThrottleEvents,WriteThrottleEvents',
    );
    expect(alarm).toMatchObject({
      Threshold: t.tableThrottlesPerMinute,
      EvaluationPeriods: 2,
      AlarmActions: topic,
    });
    expect(alarm && expressionOf(alarm)).toBe('(reads + writes) / 5');
  });

  it('processing: backlog age and dead-letter age', () => {
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [idOf(synth.stack.service.processing.queue), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Threshold: t.processingBacklogMinutes * 60,
      AlarmActions: topic,
    });
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [idOf(synth.stack.service.processingDeadLetterQueue), 'QueueName'],
          },
        },
      ],
      Statistic: 'Maximum',
      Threshold: t.deadLetterAgeMinutes * 60,
      AlarmActions: topic,
    });
  });

  it('takes other thresholds from props and validates them', () => {
    const custom = synthStack({
      service: { alarms: { apiLatencyP99Ms: 2500, functionErrorRatePercent: 10 } },
    });
    custom.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Latency',
      Threshold: 2500,
    });
    const build = (alarms: object) =>
      new MediaService(new Stack(newApp(), 'Dev'), 'Media', { stageName: 'dev', alarms });
    expect(() => build({ functionErrorRatePercent: 0 })).toThrow(
      /alarms.functionErrorRatePercent must be a number in \(0, 100\], got 0/,
    );
    expect(() => build({ apiLatencyP99Ms: -5 })).toThrow(
      /alarms.apiLatencyP99Ms must be an integer > 0/,
    );
  });

  it('can be switched off outside prod', () => {
    const quiet = synthStack({ service: { stageName: 'dev', alarms: { enabled: false } } });
    expect(resourcesOf(quiet.json, 'AWS::CloudWatch::Alarm')).toEqual([]);
  });
});

function template(): Template {
  return synth.template;
}
