/**
 * The CDK app (infra/app.ts) run the way `cdk synth -c key=value …` runs it: the command from
 * cdk.json in a child process, with the CLI's merged context (cdk.json's plus the `-c` values)
 * in CDK_CONTEXT_JSON and the assembly directory in CDK_OUTDIR. Bundling is skipped (an empty
 * `aws:cdk:bundling-stacks`), as in test/infra/synth.ts: the templates are what is checked.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/paths.ts';
import { type CfnTemplate, cdkJson, resourcesOf } from './synth.ts';

const run = promisify(execFile);
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** `cdk synth` with these `-c` values: exit code, stderr and the assembly directory. */
async function cdkSynth(context: Record<string, string>) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'media-cdk-app-'));
  outdirs.push(outdir);
  const env = {
    ...process.env,
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': [],
      ...context,
    }),
  };
  // cdk.json's app is `npx tsx infra/app.ts`; node --import tsx is the same without npx.
  const child = run(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
    cwd: PROJECT_ROOT,
    env,
  });
  try {
    const { stderr } = await child;
    return { exitCode: 0, stderr, outdir };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { exitCode: failed.code ?? -1, stderr: failed.stderr ?? '', outdir };
  }
}

const README_PROD = {
  stage: 'prod',
  allowedOrigins: 'https://app.example.com',
  gracePeriodDays: '7',
  logRetentionDays: '90',
};

describe('infra/app.ts under `cdk synth`', () => {
  it("synthesizes README's prod deploy with -c alarmTopicArn: every alarm notifies that topic", async () => {
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:oncall';
    const result = await cdkSynth({ ...README_PROD, alarmTopicArn: topicArn });
    expect(result.stderr).not.toMatch(/Invalid configuration/);
    expect(result.exitCode).toBe(0);
    const template = JSON.parse(
      readFileSync(path.join(result.outdir, 'MediaService-prod.template.json'), 'utf8'),
    ) as CfnTemplate;
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
      expect(alarm.Properties.OKActions).toEqual([topicArn]);
    }
    // The stack uses the operator's topic and creates none of its own.
    expect(resourcesOf(template, 'AWS::SNS::Topic')).toEqual([]);
  });

  it('refuses prod with no alarm destination, with the message and exit code 1', async () => {
    const result = await cdkSynth(README_PROD);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^Invalid configuration: MediaService: alarms need a destination in prod/m,
    );
  });

  it('passes -c rateLimitPerMinute and -c keepLocation=true on to every function', async () => {
    const result = await cdkSynth({ rateLimitPerMinute: '120', keepLocation: 'true' });
    expect(result.exitCode).toBe(0);
    const template = JSON.parse(
      readFileSync(path.join(result.outdir, 'MediaService-dev.template.json'), 'utf8'),
    ) as CfnTemplate;
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const [, fn] of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        MEDIA_RATE_LIMIT_PER_MINUTE: '120',
        MEDIA_KEEP_LOCATION: 'true',
      });
    }
  });

  it('stops on a keepLocation that is not true or false, naming the key', async () => {
    const result = await cdkSynth({ keepLocation: 'yes' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^Invalid configuration: context "keepLocation" must be true or false, got "yes"/m,
    );
  });

  it('refuses an unknown stage before it names a stack', async () => {
    const result = await cdkSynth({ stage: 'Prod!' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^Invalid configuration: MediaService: stageName must be one of/m,
    );
  });
});
