/**
 * Builds the stack the way `cdk synth` does (same cdk.json context/feature flags), once per test
 * file. Bundling is skipped unless asked for: template assertions do not need the code, and
 * esbuild per function is what makes synthesis slow. The bundle smoke test asks for it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { MediaServiceProps } from '../../infra/media-service-props.ts';
import { MediaServiceStack, type MediaServiceStackProps } from '../../infra/media-service-stack.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';

export const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

/** The alarm topic tests deploy with unless they ask for none (prod refuses to have none). */
export const TEST_ALARM_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:on-call';

export interface SynthOptions {
  service?: Partial<MediaServiceProps>;
  /** @default TEST_ALARM_TOPIC_ARN; `null` for none */
  alarmTopicArn?: string | null;
  /** Run esbuild for every function (slow); the assets land in `app.outdir`. */
  bundle?: boolean;
}

const outdirs: string[] = [];

/** Removes the cloud assemblies written by this test file's apps (call from `afterAll`). */
export function removeAssemblies(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function newApp(bundle = false): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'media-cdk-'));
  outdirs.push(outdir);
  return new App({
    outdir,
    context: {
      ...cdkJson.context,
      // An empty list means "bundle no stack": assets get a placeholder instead of esbuild output.
      ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

export function synthStack(options: SynthOptions = {}) {
  const app = newApp(options.bundle);
  const props: MediaServiceStackProps = {
    service: { stageName: 'prod', ...options.service },
    ...(options.alarmTopicArn === null
      ? {}
      : { alarmTopicArn: options.alarmTopicArn ?? TEST_ALARM_TOPIC_ARN }),
  };
  const stack = new MediaServiceStack(app, 'MediaServiceTest', props);
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as CfnTemplate };
}

export interface CfnResource {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON.
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Value: unknown }>;
}

/** `[logicalId, resource]` pairs of one type. */
export function resourcesOf(json: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

export function onlyResource(json: CfnTemplate, type: string): [string, CfnResource] {
  const found = resourcesOf(json, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, CfnResource];
}
