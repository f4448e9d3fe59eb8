/**
 * The deployable stack: one `MediaService` plus the outputs an operator needs. Environment-
 * agnostic (no account/region baked in): `cdk deploy` targets whatever the CLI credentials and
 * region point at.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { MediaService } from './media-service.ts';
import type { MediaServiceProps } from './media-service-props.ts';

export interface MediaServiceStackProps extends StackProps {
  service: MediaServiceProps;
  /** ARN of an existing SNS topic notified by the alarms (e.g. wired to on-call). */
  alarmTopicArn?: string;
}

export class MediaServiceStack extends Stack {
  readonly service: MediaService;

  constructor(scope: Construct, id: string, props: MediaServiceStackProps) {
    super(scope, id, {
      description: `Media attachments service (${props.service.stageName})`,
      terminationProtection: props.service.stageName === 'prod',
      ...props,
    });
    const { alarmTopicArn } = props;
    const alarms = alarmTopicArn
      ? { ...props.service.alarms, topic: Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn) }
      : props.service.alarms;
    this.service = new MediaService(this, 'MediaService', { ...props.service, alarms });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API (GET <ApiUrl>health answers 200 when ready)',
      value: this.service.apiUrl,
    });
    const { cdn } = this.service;
    if (cdn) {
      const domain = props.service.cdn?.domainName ?? cdn.distribution.distributionDomainName;
      new CfnOutput(this, 'CdnUrl', {
        description:
          'Base URL through CloudFront (API, and signed file URLs under uploads/, thumbnails/)',
        value: `https://${domain}/`,
      });
    }
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table (TABLE_NAME for the admin CLI with MEDIA_CLI_TARGET=aws)',
      value: this.service.table.tableName,
    });
    new CfnOutput(this, 'BucketName', {
      description: 'S3 bucket holding the media (BUCKET_NAME)',
      value: this.service.bucket.bucketName,
    });
    new CfnOutput(this, 'BreakGlassRoleArn', {
      description:
        'The only role besides the service that may lift legal holds, delete versions or change ' +
        "the media bucket's lifecycle/versioning/Object Lock/policy (assume with MFA)",
      value: this.service.bucketProtection.breakGlassRoleArn,
    });
    new CfnOutput(this, 'EventBusName', {
      description: 'EventBridge bus of the domain events (EVENT_BUS_NAME for the admin CLI)',
      value: this.service.eventBus.eventBusName,
    });
  }
}
