/**
 * CDK entry point (`cdk.json`: `npx tsx infra/app.ts`). Settings come from context, see
 * infra/context.ts. cdk-nag's AwsSolutions pack runs on every synth: an unacknowledged finding
 * fails `cdk synth`/`cdk deploy`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ContextError, stackPropsFromContext } from './context.ts';
import { MediaServicePropsError, resolveMediaServiceProps } from './media-service-props.ts';
import { MediaServiceStack } from './media-service-stack.ts';

try {
  const app = new App();
  const props = stackPropsFromContext(app.node);
  // Fail on bad settings before the stage name is used in the stack name.
  resolveMediaServiceProps(props.service);
  new MediaServiceStack(app, `MediaService-${props.service.stageName}`, props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  // Configuration mistakes get their message, not a stack trace.
  if (!(error instanceof MediaServicePropsError || error instanceof ContextError)) throw error;
  console.error(`Invalid configuration: ${error.message}`);
  process.exitCode = 1;
}
