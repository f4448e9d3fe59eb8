/**
 * What an operator gets to look at: every function emits metrics into the service namespace
 * and is traced, and the construct's dashboard covers API, functions, table, processing, event
 * delivery and the service's own metrics.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { METRICS_NAMESPACE, PROCESSING_FUNCTION } from '../../infra/media-service.ts';
import { removeAssemblies, resourcesOf, synthStack } from './synth.ts';

afterAll(removeAssemblies);

let synth: ReturnType<typeof synthStack>;

beforeAll(() => {
  synth = synthStack();
});

/** The dashboard body with its CloudFormation references rendered as `<logicalId>`. */
function dashboardBody(): string {
  const [[, dashboard] = []] = resourcesOf(synth.json, 'AWS::CloudWatch::Dashboard');
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return `<${ref.Ref ?? ref['Fn::GetAtt']?.join('.')}>`;
    })
    .join('');
}

describe('metrics and traces', () => {
  it('every function: metrics namespace, service name, active tracing, no response capture', () => {
    const functions = resourcesOf(synth.json, 'AWS::Lambda::Function');
    expect(functions.length).toBe(synth.stack.service.functions.size);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Environment.Variables, id).toMatchObject({
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_SERVICE_NAME: 'media',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      });
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
    expect(METRICS_NAMESPACE).toBe('MediaService');
  });
});

describe('dashboard', () => {
  it('is created per stage', () => {
    synth.template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'media-service-prod',
      DashboardBody: Match.anyValue(),
    });
    synth.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('shows alarms, API traffic/latency/error rate, per-function health, table and processing', () => {
    const body = JSON.parse(dashboardBody()) as {
      widgets: Array<{ properties: { title?: string; alarms?: unknown[] } }>;
    };
    const titles = body.widgets.map((w) => w.properties.title).filter(Boolean);
    expect(titles).toEqual([
      'Alarms',
      'API requests and errors',
      'API latency (ms)',
      'API 5xx rate (%)',
      'Invocations',
      'Errors',
      'Throttles',
      'Duration p99 (ms)',
      'Concurrent executions',
      'DynamoDB consumed capacity and throttles',
      'Processing backlog and dead letters',
      'Event delivery (stored files → processing)',
      'Processing duration by outcome (ms, p99)',
      'Requests by route',
      'Latency by route (ms, p99)',
      'Rejects by route and code',
      'Upload bytes by file type',
      'Uploads by file type',
      'Sweep progress (items per result)',
    ]);
    const alarmWidget = body.widgets.find((w) => w.properties.title === 'Alarms');
    expect(alarmWidget?.properties.alarms).toHaveLength(synth.stack.service.alarms.length);
  });

  it('graphs every function, p50/p99 latency and the service metrics namespace', () => {
    const body = dashboardBody();
    for (const name of new Set([...routes.map((r) => r.name), PROCESSING_FUNCTION])) {
      const fn = synth.stack.service.functions.get(name)?.function;
      const id = synth.stack.getLogicalId(fn?.node.defaultChild as never);
      expect(body, name).toContain(`<${id}>`);
    }
    expect(body).toContain('"stat":"p50"');
    expect(body).toContain('"stat":"p99"');
    expect(body).toContain('ConsumedReadCapacityUnits');
    expect(body).toContain('ApproximateAgeOfOldestMessage');
    expect(body).toContain('FailedInvocations');
    expect(body).toContain(
      `SEARCH('{${METRICS_NAMESPACE},service,route,code} MetricName=\\"Rejects\\"`,
    );
  });
});
