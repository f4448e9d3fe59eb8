/**
 * cdk-nag's AwsSolutions pack finds nothing unacknowledged, and every acknowledgement says why.
 *
 * cdk-nag 3 is a CDK policy-validation plugin: findings no longer appear as annotations (so
 * `Annotations.findError(…, /AwsSolutions-/)` would pass vacuously). The checks below run the
 * pack directly and through `app.synth()` the way `cdk synth` does, and a canary proves the
 * harness does report a violation.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaServiceStack } from '../../infra/media-service-stack.ts';
import { newApp, removeAssemblies, synthStack } from './synth.ts';

afterAll(removeAssemblies);

let synth: ReturnType<typeof synthStack>;

beforeAll(() => {
  synth = synthStack({ service: { allowedOrigins: ['https://app.example.com'] } });
});

function findings(scope: IConstruct) {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity,
    paths: v.violatingResources.map((r) => r.constructPath),
  }));
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning on the stack', () => {
    expect(findings(synth.stack)).toEqual([]);
  });

  it('reports nothing unacknowledged with the alarm topic created by the construct', () => {
    const created = synthStack({
      service: { stageName: 'dev', alarms: { email: 'oncall@example.com' } },
      alarmTopicArn: null,
    });
    expect(findings(created.stack)).toEqual([]);
  });

  it('reports no AwsSolutions annotation either', () => {
    const annotations = Annotations.fromStack(synth.stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('passes the validation plugin during synthesis, as `cdk synth` runs it', () => {
    const app = newApp();
    new MediaServiceStack(app, 'PluginRun', { service: { stageName: 'staging' } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('does report a finding (canary: a bare bucket violates S1 and S10)', () => {
    const stack = new Stack(new App(), 'Canary');
    new Bucket(stack, 'Bare');
    const rules = findings(stack).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });

  it('fails synthesis on a finding (canary through the plugin)', () => {
    const app = newApp();
    new Bucket(new Stack(app, 'Canary'), 'Bare');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('acknowledges findings one by one, each with a specific reason', () => {
    const acknowledged: Array<{ path: string; id: string; reason: string }> = [];
    for (const node of synth.stack.node.findAll()) {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged.push({ path: node.node.path, id: id.replace(/^annotation::/i, ''), reason });
        }
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) {
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
      // IAM5 is never acknowledged wholesale, only per finding.
      if (ack.id.startsWith('AwsSolutions-IAM5'))
        expect(ack.id).toMatch(/^AwsSolutions-IAM5\[.+\]$/);
    }
    // Nothing is acknowledged for the whole stack.
    expect(acknowledged.filter((a) => a.path === synth.stack.node.path)).toEqual([]);
    const ids = new Set(acknowledged.map((a) => a.id.replace(/\[.*$/, '')));
    expect([...ids].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      // The processing dead-letter queue has no dead-letter queue of its own.
      'AwsSolutions-SQS3',
    ]);
  });
});
