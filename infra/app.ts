/**
 * CDK entry point (`cdk.json`: `npx tsx infra/app.ts`). Settings come from context, see
 * infra/context.ts. cdk-nag's AwsSolutions pack runs on every synth: an unacknowledged finding
 * fails `cdk synth`/`cdk deploy`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ContextError, stackPropsFromContext } from './context.ts';
import { MediaServicePropsError, validateStageName } from './media-service-props.ts';
import { MediaServiceStack } from './media-service-stack.ts';

try {
  const app = new App();
  const props = stackPropsFromContext(app.node);
  // The stage name names the stack, so it is checked first; the construct checks every other
  // setting, once the stack has turned `alarmTopicArn` into `alarms.topic` (checking the context
  // props here, without that topic, refused every prod deploy that named one).
  const stageName = validateStageName(props.service.stageName);
  new MediaServiceStack(app, `MediaService-${stageName}`, props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  // Configuration mistakes get their message, not a stack trace.
  if (!(error instanceof MediaServicePropsError || error instanceof ContextError)) throw error;
  console.error(`Invalid configuration: ${error.message}`);
  process.exitCode = 1;
}
