/**
 * What the synthesized stack contains, property by property: functions, table, bucket, IAM,
 * API, alarms, outputs. Synthesized once (without bundling) and shared by every test here.
 */
import { Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, UNMATCHED_ROUTE_FUNCTION } from '../../functions/routes.ts';
import {
  DEAD_LETTER_ALARM_SECONDS,
  ITERATOR_AGE_ALARM_MINUTES,
  STREAM_EVENTS_FUNCTION,
  STREAM_READING,
} from '../../infra/event-delivery.ts';
import { type FunctionAccess, functionAccess } from '../../infra/function-access.ts';
import {
  ACCESS_LOG_FIELDS,
  MAX_HTTP_TIMEOUT_SECONDS,
  PROCESSING_FUNCTION,
  SCHEDULED_FUNCTIONS,
} from '../../infra/media-service.ts';
import { tableDefinition, toCreateTableInput } from '../../lib/db/table-definition.ts';
import { PROCESSED_PREFIX } from '../../lib/processing/storage-events.ts';
import { actionsOf, asList, flatten, type Statement, statementsOf } from './iam.ts';
import {
  type CfnResource,
  type CfnTemplate,
  onlyResource,
  removeAssemblies,
  resourcesOf,
  synthStack,
} from './synth.ts';

const ORIGINS = ['https://app.example.com', 'http://localhost:5173'];
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:on-call';

afterAll(removeAssemblies);

let synth: ReturnType<typeof synthStack>;
let json: CfnTemplate;

beforeAll(() => {
  synth = synthStack({
    service: {
      gracePeriodDays: 9,
      allowedOrigins: ORIGINS,
      maxUploadBytes: 10_000_000,
      indexShards: 8,
      keepLocation: true,
      throttle: { rateLimit: 40, burstLimit: 80 },
      logLevel: 'WARN',
      logRetention: RetentionDays.THREE_MONTHS,
      processingConcurrency: 25,
    },
    alarmTopicArn: TOPIC_ARN,
  });
  json = synth.json;
});

/** The routes' functions and the `$default` route's. */
const httpFunctionNames: string[] = [
  ...new Set(routes.map((r) => r.name as string)),
  UNMATCHED_ROUTE_FUNCTION,
];
const scheduledNames: string[] = SCHEDULED_FUNCTIONS.map((w) => w.name);
const workerNames: string[] = [...scheduledNames, PROCESSING_FUNCTION, STREAM_EVENTS_FUNCTION];
const functionNames: string[] = [...httpFunctionNames, ...workerNames];
/** What Lambda's SQS event source needs of the processing function's role. */
const QUEUE_CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
/** What the stream consumer's role needs: its event source reads the table's stream… */
const STREAM_READ = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];
/** …and hands the position of records it gave up on to its dead-letter queue. */
const DLQ_SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const TABLE_READS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];

/** The Lambda resource of function `name` (found through the construct, not by guessing ids). */
function lambdaOf(name: string): CfnResource {
  const fn = synth.stack.service.functions.get(name);
  if (!fn) throw new Error(`function ${name} not created`);
  const id = synth.stack.getLogicalId(fn.function.node.defaultChild as never);
  const resource = json.Resources[id];
  if (!resource) throw new Error(`no resource ${id}`);
  return resource;
}

const ref = (resource: string) => ({ Ref: resource });
const tableId = () => onlyResource(json, 'AWS::DynamoDB::GlobalTable')[0];
const table = () => onlyResource(json, 'AWS::DynamoDB::GlobalTable')[1];
const bucketId = () =>
  synth.stack.getLogicalId(synth.stack.service.bucket.node.defaultChild as never);
const busId = () =>
  synth.stack.getLogicalId(synth.stack.service.eventBus.node.defaultChild as never);
const dlqId = () =>
  synth.stack.getLogicalId(
    synth.stack.service.processingDeadLetterQueue.node.defaultChild as never,
  );
const eventsDlqId = () =>
  synth.stack.getLogicalId(
    synth.stack.service.eventDelivery.deadLetterQueue.node.defaultChild as never,
  );
const queueId = () =>
  synth.stack.getLogicalId(synth.stack.service.processing.queue.node.defaultChild as never);
const queue = () => json.Resources[queueId()] as CfnResource;
/** The event source mapping that invokes function `name` (processing: its queue; stream-events). */
function mappingOf(
  template: CfnTemplate,
  name: string,
  stack: typeof synth.stack = synth.stack,
): CfnResource {
  const fnId = stack.getLogicalId(
    stack.service.functions.get(name)?.function.node.defaultChild as never,
  );
  const found = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').filter(
    ([, m]) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify(ref(fnId)),
  );
  if (found.length !== 1) throw new Error(`expected one event source mapping of ${name}`);
  return (found[0] as [string, CfnResource])[1];
}
const lambdaIdOf = (name: string) =>
  synth.stack.getLogicalId(
    synth.stack.service.functions.get(name)?.function.node.defaultChild as never,
  );

describe('synthesis', () => {
  it('is environment-agnostic (no account or region baked in)', () => {
    expect(Token.isUnresolved(synth.stack.region)).toBe(true);
    expect(Token.isUnresolved(synth.stack.account)).toBe(true);
  });

  it('raises no CDK warnings or errors', () => {
    expect(Annotations.fromStack(synth.stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(synth.stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('uses no custom-resource helpers (log retention, notifications, auto-delete)', () => {
    const types = new Set(Object.values(json.Resources).map((r) => r.Type));
    for (const type of types)
      expect(type).not.toMatch(/^Custom::|AWS::CloudFormation::CustomResource/);
    expect(resourcesOf(json, 'AWS::Lambda::Function')).toHaveLength(functionNames.length);
  });

  it('outputs the API URL, the table name and the bucket name', () => {
    synth.template.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          Match.arrayWith([
            'https://',
            ref(synth.stack.getLogicalId(synth.stack.service.api.node.defaultChild as never)),
          ]),
        ],
      },
    });
    synth.template.hasOutput('TableName', { Value: ref(tableId()) });
    synth.template.hasOutput('BucketName', { Value: ref(bucketId()) });
    synth.template.hasOutput('EventBusName', { Value: ref(busId()) });
  });

  it('protects the prod stack from termination', () => {
    expect(synth.stack.terminationProtection).toBe(true);
  });
});

describe('functions', () => {
  it.each(functionNames)('%s: Node.js 22 on arm64, X-Ray active, ESM bundle handler', (name) => {
    const p = lambdaOf(name).Properties;
    expect(p.Runtime).toBe('nodejs22.x');
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.TracingConfig).toEqual({ Mode: 'Active' });
    expect(p.Handler).toBe('index.handler');
  });

  it.each(functionNames)('%s: memory and timeout from its access entry', (name) => {
    const p = lambdaOf(name).Properties;
    const access = functionAccess[name] as FunctionAccess;
    expect(p.MemorySize).toBe(access.memoryMb);
    expect(p.Timeout).toBe(access.timeoutSeconds);
    if (httpFunctionNames.includes(name)) {
      expect(p.Timeout).toBeLessThanOrEqual(MAX_HTTP_TIMEOUT_SECONDS);
    }
  });

  it.each(functionNames)('%s: environment from construct props', (name) => {
    const publishes = (functionAccess[name] as FunctionAccess).publishEvents === true;
    expect(lambdaOf(name).Properties.Environment.Variables).toEqual({
      TABLE_NAME: ref(tableId()),
      BUCKET_NAME: ref(bucketId()),
      // The bus name only where the function may publish (see the PutEvents test).
      ...(publishes ? { EVENT_BUS_NAME: ref(busId()) } : {}),
      MEDIA_STORAGE_MODE: 'aws',
      MEDIA_MAX_UPLOAD_BYTES: '10000000',
      MEDIA_RATE_LIMIT_PER_MINUTE: '600',
      MEDIA_KEEP_LOCATION: 'true',
      MEDIA_GRACE_PERIOD_SECONDS: String(9 * 86_400),
      MEDIA_INDEX_SHARDS: '8',
      MEDIA_CURSOR_SECRET: { Ref: 'AWS::StackId' },
      POWERTOOLS_SERVICE_NAME: 'media',
      POWERTOOLS_METRICS_NAMESPACE: 'MediaService',
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it.each(functionNames)('%s: JSON logs into its own log group with retention', (name) => {
    const logging = lambdaOf(name).Properties.LoggingConfig;
    expect(logging).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'WARN' });
    const group = json.Resources[logging.LogGroup.Ref];
    expect(group?.Type).toBe('AWS::Logs::LogGroup');
    expect(group?.Properties.RetentionInDays).toBe(90);
    expect(group?.DeletionPolicy).toBe('Retain');
  });

  it('sizes the upload function for the largest body API Gateway carries', () => {
    if (!functionNames.includes('upload-media')) return;
    const p = lambdaOf('upload-media').Properties;
    expect(p.MemorySize).toBeGreaterThanOrEqual(1024);
    expect(p.Timeout).toBe(29);
  });

  it('gives every function its own role without managed policies', () => {
    const breakGlass = synth.stack.service.bucketProtection.breakGlassRole?.node.defaultChild;
    const breakGlassId = synth.stack.getLogicalId(breakGlass as never);
    const roles = resourcesOf(json, 'AWS::IAM::Role').filter(([id]) => id !== breakGlassId);
    expect(roles).toHaveLength(functionNames.length);
    for (const [, role] of roles) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
        },
      ]);
    }
  });
});

describe('DynamoDB table', () => {
  it('has exactly the keys, attributes and indexes of the shared definition', () => {
    const expected = toCreateTableInput('ignored', 'all');
    const p = table().Properties;
    const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName));
    expect(p.KeySchema).toEqual(expected.KeySchema);
    expect([...p.AttributeDefinitions].sort(byName)).toEqual(
      [...(expected.AttributeDefinitions ?? [])].sort(byName),
    );
    expect(p.GlobalSecondaryIndexes).toEqual(expected.GlobalSecondaryIndexes);
    expect(p.BillingMode).toBe(expected.BillingMode);
  });

  it('has TTL on the shared attribute, PITR, deletion protection and RETAIN', () => {
    const t = table();
    expect(t.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: tableDefinition.timeToLiveAttribute,
      Enabled: true,
    });
    const [replica] = t.Properties.Replicas;
    expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(replica.DeletionProtectionEnabled).toBe(true);
    expect(t.DeletionPolicy).toBe('Retain');
    expect(t.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('media bucket', () => {
  const bucket = () => json.Resources[bucketId()] as CfnResource;

  it('is versioned with Object Lock enabled and no default retention', () => {
    const p = bucket().Properties;
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.ObjectLockEnabled).toBe(true);
    expect(p.ObjectLockConfiguration).toBeUndefined();
  });

  it('blocks public access, encrypts at rest, disables ACLs and is RETAINed', () => {
    const b = bucket();
    expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(b.Properties.OwnershipControls.Rules).toEqual([
      { ObjectOwnership: 'BucketOwnerEnforced' },
    ]);
    expect(b.DeletionPolicy).toBe('Retain');
    expect(b.UpdateReplacePolicy).toBe('Retain');
  });

  it('denies every request without TLS (and below TLS 1.2)', () => {
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(bucketId()),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Deny',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      },
    });
  });

  it('purges deleted files after the grace period, aborts multipart uploads, expires staging', () => {
    expect(bucket().Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'AbortIncompleteMultipartUploads',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      },
      {
        Id: 'PurgeDeletedUploads',
        Prefix: 'uploads/',
        NoncurrentVersionExpiration: { NoncurrentDays: 9 },
        Status: 'Enabled',
      },
      {
        Id: 'PurgeDeletedThumbnails',
        Prefix: 'thumbnails/',
        NoncurrentVersionExpiration: { NoncurrentDays: 9 },
        Status: 'Enabled',
      },
      {
        Id: 'ExpireStaging',
        Prefix: 'staging/',
        ExpirationInDays: 1,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        Status: 'Enabled',
      },
      { Id: 'RemoveExpiredDeleteMarkers', ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
    ]);
  });

  it('never expires current media versions (only noncurrent ones, i.e. after a delete)', () => {
    const rules = bucket().Properties.LifecycleConfiguration.Rules as Array<
      Record<string, unknown>
    >;
    for (const rule of rules.filter((r) => r.Prefix !== 'staging/')) {
      expect(rule.ExpirationInDays).toBeUndefined();
      expect(rule.ExpirationDate).toBeUndefined();
    }
  });

  it('sends object events to EventBridge', () => {
    expect(bucket().Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
  });

  it('writes server access logs to a separate, locked-down log bucket', () => {
    const logBucketId = synth.stack.getLogicalId(
      synth.stack.service.accessLogsBucket.node.defaultChild as never,
    );
    expect(bucket().Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: ref(logBucketId),
      LogFilePrefix: 'media-bucket/',
    });
    const logs = json.Resources[logBucketId] as CfnResource;
    expect(logs.Properties.PublicAccessBlockConfiguration.BlockPublicAcls).toBe(true);
    expect(logs.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(logs.Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'ExpireAccessLogs', ExpirationInDays: 90, Status: 'Enabled' },
    ]);
    expect(logs.DeletionPolicy).toBe('Retain');
  });

  it('allows the configured browser origins to PUT presigned uploads and GET signed URLs', () => {
    expect(bucket().Properties.CorsConfiguration.CorsRules).toEqual([
      {
        AllowedOrigins: ORIGINS,
        AllowedMethods: ['GET', 'HEAD', 'PUT'],
        AllowedHeaders: ['*'],
        ExposedHeaders: ['ETag'],
        MaxAge: 3600,
      },
    ]);
  });
});

describe('event delivery: the table stream → stream-events → the bus', () => {
  it('the table streams new and old images (as the local table, TABLE_STREAM)', () => {
    expect(table().Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(toCreateTableInput('t', 'lean').StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
  });

  it('maps the stream to stream-events with partial batch failures, bisection, retries, a DLQ', () => {
    const mapping = mappingOf(json, STREAM_EVENTS_FUNCTION);
    expect(mapping.Properties).toMatchObject({
      FunctionName: ref(lambdaIdOf(STREAM_EVENTS_FUNCTION)),
      EventSourceArn: { 'Fn::GetAtt': [tableId(), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: STREAM_READING.batchSize,
      ParallelizationFactor: STREAM_READING.parallelizationFactor,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: STREAM_READING.retryAttempts,
      MaximumRecordAgeInSeconds: STREAM_READING.maxRecordAge.toSeconds(),
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [eventsDlqId(), 'Arn'] } },
      },
      // Only attachment records invoke it (rate-limit counters and the like never do).
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              dynamodb: { Keys: { PK: { S: [{ prefix: 'ATTACHMENT#' }] } } },
            }),
          },
        ],
      },
    });
    const queue = json.Resources[eventsDlqId()] as CfnResource;
    expect(queue.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 86_400,
      SqsManagedSseEnabled: true,
    });
  });

  it('stream-events reads only this table’s stream and puts only on the bus', () => {
    const own = statementsOf(json, synth.stack, synth.stack.service, STREAM_EVENTS_FUNCTION);
    const streamReads = own.filter((st) =>
      asList(st.Action).some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:ListStreams'),
    );
    expect(streamReads.flatMap((st) => asList(st.Resource).map(flatten))).toEqual([
      `<${tableId()}.StreamArn>`,
    ]);
    expect(actionsOf(own).has('dynamodb:GetItem')).toBe(false);
    expect(
      lambdaOf(STREAM_EVENTS_FUNCTION).Properties.Environment.Variables.EVENT_BUS_NAME,
    ).toEqual(ref(busId()));
  });

  it('pages on the iterator age and on any record given up', () => {
    const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: 'IteratorAge',
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Threshold: ITERATOR_AGE_ALARM_MINUTES * 60_000,
        Dimensions: [{ Name: 'FunctionName', Value: ref(lambdaIdOf(STREAM_EVENTS_FUNCTION)) }],
        AlarmActions: [TOPIC_ARN],
      }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: 'ApproximateAgeOfOldestMessage',
        Namespace: 'AWS/SQS',
        Threshold: DEAD_LETTER_ALARM_SECONDS,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [eventsDlqId(), 'QueueName'] } }],
      }),
    );
  });
});

describe('IAM least privilege (deployed functions)', () => {
  const TABLE_READ = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
  const TABLE_WRITE = [
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ];
  const WRITE_ACTION = {
    put: 'dynamodb:PutItem',
    update: 'dynamodb:UpdateItem',
    delete: 'dynamodb:DeleteItem',
    check: 'dynamodb:ConditionCheckItem',
  } as const;
  const ALWAYS = [
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'xray:PutTelemetryRecords',
    'xray:PutTraceSegments',
  ];

  /** The spec of the access vocabulary, written out independently of the implementation. */
  function expectedActions(access: FunctionAccess): string[] {
    const b = access.bucket ?? {};
    return [
      ...ALWAYS,
      ...(access.table === 'healthSentinel'
        ? ['dynamodb:GetItem']
        : access.table === undefined
          ? []
          : TABLE_READ),
      // One action per kind of write, whatever the number of item kinds it applies to.
      ...new Set(
        Object.values(access.writes ?? {}).flatMap((how) => how.map((w) => WRITE_ACTION[w])),
      ),
      ...(b.list ? ['s3:ListBucket'] : []),
      ...(b.listVersions ? ['s3:ListBucketVersions'] : []),
      ...(b.read?.length ? ['s3:GetObject'] : []),
      ...(b.readVersions?.length ? ['s3:GetObjectVersion'] : []),
      ...(b.write?.length ? ['s3:PutObject'] : []),
      ...(b.delete?.length ? ['s3:DeleteObject'] : []),
      ...(b.deleteVersions?.length ? ['s3:DeleteObjectVersion'] : []),
      ...(b.legalHold ? ['s3:GetObjectLegalHold', 's3:PutObjectLegalHold'] : []),
      ...(b.readLegalHold && !b.legalHold ? ['s3:GetObjectLegalHold'] : []),
      ...(b.placeHolds?.length && !b.legalHold ? ['s3:PutObjectLegalHold'] : []),
      ...(access.scanTable ? ['dynamodb:Scan'] : []),
      ...(access.publishEvents ? ['events:PutEvents'] : []),
    ].sort();
  }

  const statements = (name: string): Statement[] =>
    statementsOf(json, synth.stack, synth.stack.service, name);

  it.each(functionNames)('%s: exactly the actions of its access entry', (name) => {
    const actual = [...actionsOf(statements(name))].sort();
    const expected = expectedActions(functionAccess[name] as FunctionAccess);
    // Plus, for the processing worker, what its event source needs to consume its queue.
    if (name === PROCESSING_FUNCTION) expected.push(...QUEUE_CONSUME);
    // And for the stream consumer, its event source (stream reads) and its dead-letter queue.
    if (name === STREAM_EVENTS_FUNCTION) expected.push(...STREAM_READ, ...DLQ_SEND);
    expect(actual).toEqual(expected.sort());
  });

  it('only the processing worker and the stream consumer touch a queue, their own', () => {
    for (const name of functionNames) {
      const sqs = statements(name).filter((s) =>
        asList(s.Action).some((a) => a.startsWith('sqs:')),
      );
      if (name === STREAM_EVENTS_FUNCTION) {
        // Sends (only) the positions of given-up records to its own dead-letter queue.
        expect(sqs.flatMap((s) => asList(s.Resource).map(flatten))).toEqual([
          `<${eventsDlqId()}.Arn>`,
        ]);
        continue;
      }
      if (name !== PROCESSING_FUNCTION) {
        expect(sqs, name).toEqual([]);
        continue;
      }
      expect(sqs.flatMap((s) => asList(s.Resource).map(flatten))).toEqual([`<${queueId()}.Arn>`]);
      expect(sqs.flatMap((s) => asList(s.Action))).not.toContain('sqs:SendMessage');
    }
  });

  it.each(functionNames)('%s: no wildcard resource except for X-Ray (and ListStreams)', (name) => {
    for (const s of statements(name)) {
      if (!asList(s.Resource).includes('*')) continue;
      // ListStreams has no resource-level permissions; the stream consumer's mapping needs it.
      if (name === STREAM_EVENTS_FUNCTION && asList(s.Action).includes('dynamodb:ListStreams')) {
        expect(asList(s.Action)).toEqual(['dynamodb:ListStreams']);
        continue;
      }
      expect([...asList(s.Action)].sort()).toEqual([
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });

  it.each(functionNames)('%s: S3 object actions are scoped to a key prefix', (name) => {
    const bucketArn = `<${bucketId()}.Arn>`;
    for (const s of statements(name)) {
      const actions = asList(s.Action);
      if (!actions.some((a) => a.startsWith('s3:'))) continue;
      const resources = asList(s.Resource).map(flatten);
      if (actions.every((a) => a.startsWith('s3:ListBucket'))) {
        expect(resources).toEqual([bucketArn]);
      } else {
        for (const r of resources) {
          expect(r).toMatch(
            new RegExp(`^${escapeRegExp(bucketArn)}/(uploads|thumbnails|staging)/\\*$`),
          );
        }
      }
    }
  });

  it.each(functionNames)('%s: DynamoDB actions only on the table and its named indexes', (name) => {
    const tableArn = `<${tableId()}.Arn>`;
    const allowed = new Set([
      tableArn,
      ...tableDefinition.globalSecondaryIndexes.map((i) => `${tableArn}/index/${i.indexName}`),
    ]);
    for (const s of statements(name)) {
      if (!asList(s.Action).some((a) => a.startsWith('dynamodb:'))) continue;
      // The stream consumer reads the table's stream (ListStreams: see the wildcard test).
      if (name === STREAM_EVENTS_FUNCTION) continue;
      for (const r of asList(s.Resource).map(flatten)) expect(allowed).toContain(r);
    }
  });

  it.each(functionNames)('%s: writes logs only to its own log group', (name) => {
    const fn = synth.stack.service.functions.get(name);
    const groupId = synth.stack.getLogicalId(fn?.logGroup.node.defaultChild as never);
    const logs = statements(name).filter((s) =>
      asList(s.Action).some((a) => a.startsWith('logs:')),
    );
    expect(logs.map((s) => flatten(s.Resource))).toEqual([`<${groupId}.Arn>`]);
  });

  it('health may only read its sentinel item and head the bucket (no control-plane action)', () => {
    const actions = actionsOf(statements('health'));
    expect([...actions].filter((a) => !ALWAYS.includes(a)).sort()).toEqual([
      'dynamodb:GetItem',
      's3:ListBucket',
    ]);
    const read = statements('health').find((s) => asList(s.Action).includes('dynamodb:GetItem'));
    expect(read?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['HEALTH'] },
    });
  });

  it('the list function cannot write anything but its rate-limit counters', () => {
    if (!functionNames.includes('list-media')) return;
    const writing = statements('list-media').filter(
      (s) => !(s.Sid === 'UpdateItems' && JSON.stringify(s.Condition).includes('RATE#*')),
    );
    const actions = [...actionsOf(writing)];
    expect(actions.filter((a) => TABLE_WRITE.includes(a) || /^s3:(Put|Delete)/.test(a))).toEqual(
      [],
    );
  });

  it('only set-legal-hold can lift legal holds; processing can only place them on thumbnails', () => {
    const holders = functionNames.filter((name) =>
      actionsOf(statements(name)).has('s3:PutObjectLegalHold'),
    );
    expect(holders.sort()).toEqual(['process-media', 'set-legal-hold']);
    const placing = statements(PROCESSING_FUNCTION).filter((s) =>
      asList(s.Action).includes('s3:PutObjectLegalHold'),
    );
    expect(placing).toHaveLength(1);
    expect(placing[0]).toMatchObject({
      Action: 's3:PutObjectLegalHold',
      Condition: { StringEquals: { 's3:object-lock-legal-hold': 'ON' } },
    });
    expect(asList(placing[0]?.Resource).map(flatten)).toEqual([`<${bucketId()}.Arn>/thumbnails/*`]);
  });
});

describe('deletion lifecycle: purge queue, sweeps and domain events', () => {
  const statements = (name: string): Statement[] =>
    statementsOf(json, synth.stack, synth.stack.service, name);
  const lambdaId = lambdaIdOf;

  it('indexes deleted, unheld attachments by purgeAfter (the purge queue)', () => {
    expect(table().Properties.GlobalSecondaryIndexes).toContainEqual({
      IndexName: 'ByPurgeAfter',
      KeySchema: [
        { AttributeName: 'purgePK', KeyType: 'HASH' },
        { AttributeName: 'purgeSK', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    expect(table().Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'ttl',
      Enabled: true,
    });
  });

  it('has one domain event bus without a resource policy', () => {
    onlyResource(json, 'AWS::Events::EventBus');
    expect(resourcesOf(json, 'AWS::Events::EventBusPolicy')).toEqual([]);
  });

  it('lets exactly the stream consumer and the orphan sweep put events, on that bus only', () => {
    const publishers = functionNames.filter((name) =>
      actionsOf(statements(name)).has('events:PutEvents'),
    );
    // The events of record changes come from the table's stream: no other function publishes.
    expect(publishers).toEqual([STREAM_EVENTS_FUNCTION]);
    for (const name of functionNames.filter((n) => n !== STREAM_EVENTS_FUNCTION)) {
      expect(lambdaOf(name).Properties.Environment.Variables.EVENT_BUS_NAME, name).toBeUndefined();
    }
    for (const name of publishers) {
      const put = statements(name).filter((s) => asList(s.Action).includes('events:PutEvents'));
      expect(put.flatMap((s) => asList(s.Resource).map(flatten))).toEqual([`<${busId()}.Arn>`]);
    }
  });

  it.each([
    ['purge-sweep', 'rate(15 minutes)'],
    ['orphan-sweep', 'rate(1 hour)'],
  ])('runs %s on a schedule (%s), retried twice', (name, expression) => {
    const rules = resourcesOf(json, 'AWS::Events::Rule').filter(([, r]) =>
      (r.Properties.Targets as Array<{ Arn: unknown }>).some(
        (t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [lambdaId(name), 'Arn'] }),
      ),
    );
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0] as [string, CfnResource];
    expect(rule.Properties.ScheduleExpression).toBe(expression);
    expect(rule.Properties.EventBusName).toBeUndefined(); // schedules run on the default bus
    expect(rule.Properties.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 2 });
    const invoke = resourcesOf(json, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'events.amazonaws.com',
    );
    expect(
      invoke.filter(([, p]) => JSON.stringify(p.Properties.SourceArn).includes(ruleId)),
    ).toHaveLength(1);
  });

  it('EventBridge invokes only the sweeps, each through its own rule (processing: a queue)', () => {
    const invoke = resourcesOf(json, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'events.amazonaws.com',
    );
    expect(invoke.map(([, p]) => flatten(p.Properties.FunctionName)).sort()).toEqual(
      scheduledNames.map((name) => `<${lambdaId(name)}.Arn>`).sort(),
    );
    // One rule per sweep and the processing rule; the stream consumer has no rule (its event
    // source mapping invokes it).
    expect(resourcesOf(json, 'AWS::Events::Rule')).toHaveLength(scheduledNames.length + 1);
  });

  it('purge-sweep only adds delete markers in S3 (lifecycle purges the files on AWS)', () => {
    expect([...actionsOf(statements('purge-sweep'))].filter((a) => a.startsWith('s3:'))).toEqual([
      's3:DeleteObject',
    ]);
  });

  it('orphan-sweep writes only blob intents, lists nothing, scans nothing, holds nothing', () => {
    const actions = actionsOf(statements('orphan-sweep'));
    const tableWrites = statements('orphan-sweep').filter((s) =>
      asList(s.Action).some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)),
    );
    expect(tableWrites).toEqual([
      {
        Sid: 'UpdateItems',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: expect.anything(),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INTENT#*'] } },
      },
      {
        Sid: 'DeleteItems',
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: expect.anything(),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INTENT#*'] } },
      },
    ]);
    for (const absent of ['dynamodb:Scan', 's3:ListBucket', 's3:PutObjectLegalHold']) {
      expect(actions).not.toContain(absent);
    }
    expect(actions).toContain('s3:GetObjectLegalHold');
  });
});

describe('processing on storage events', () => {
  const statements = (name: string): Statement[] =>
    statementsOf(json, synth.stack, synth.stack.service, name);
  const processingRule = () =>
    json.Resources[
      synth.stack.getLogicalId(synth.stack.service.processingRule.node.defaultChild as never)
    ] as CfnResource;

  it('a rule on the default bus sends the bucket’s "Object Created" events under uploads/', () => {
    const rule = processingRule();
    expect(rule.Properties.EventBusName).toBeUndefined(); // S3 delivers to the default bus
    expect(rule.Properties.State).toBe('ENABLED');
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [ref(bucketId())] },
        object: { key: [{ prefix: 'uploads/' }] },
      },
    });
    // The same prefix the handler keeps (lib/processing/storage-events.ts).
    expect(PROCESSED_PREFIX).toBe('uploads/');
  });

  it('targets the processing queue only, with the dead-letter queue for events it cannot queue', () => {
    expect(processingRule().Properties.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: { 'Fn::GetAtt': [queueId(), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId(), 'Arn'] } },
      },
    ]);
    // Nothing invokes the function but its event source: no EventBridge invoke permission.
    const invoke = resourcesOf(json, 'AWS::Lambda::Permission').filter(
      ([, p]) => flatten(p.Properties.FunctionName) === `<${lambdaIdOf(PROCESSING_FUNCTION)}.Arn>`,
    );
    expect(invoke).toEqual([]);
    expect(resourcesOf(json, 'AWS::Lambda::EventInvokeConfig')).toEqual([]);
  });

  it('the queue: visibility 6 × the function timeout, dead letter after 5 receives', () => {
    expect(queue().Properties).toEqual({
      Tags: expect.anything(),
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 86_400,
      VisibilityTimeout: 6 * 120,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(lambdaOf(PROCESSING_FUNCTION).Properties.Timeout).toBe(120);
  });

  it('feeds process-media in batches of 10, capped at processingConcurrency, partial failures', () => {
    const mapping = mappingOf(json, PROCESSING_FUNCTION);
    expect(mapping.Properties).toEqual({
      Tags: expect.anything(),
      FunctionName: ref(lambdaIdOf(PROCESSING_FUNCTION)),
      EventSourceArn: { 'Fn::GetAtt': [queueId(), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 25 },
    });
    // Without the prop no cap (see the defaults below), and never reserved concurrency.
    expect(lambdaOf(PROCESSING_FUNCTION).Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('both queues are encrypted and refuse plain HTTP; only this rule may send to them', () => {
    const dlq = json.Resources[dlqId()] as CfnResource;
    expect(dlq.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      // Longer than the queue's: a standard queue keeps a message's original enqueue time.
      MessageRetentionPeriod: 14 * 86_400,
    });
    // (The event delivery dead-letter queue has its own policy: see event delivery above.)
    const policies = resourcesOf(json, 'AWS::SQS::QueuePolicy').filter(
      ([, p]) => JSON.stringify(p.Properties.Queues) !== JSON.stringify([ref(eventsDlqId())]),
    );
    expect(policies.map(([, p]) => p.Properties.Queues).sort()).toEqual(
      [[ref(dlqId())], [ref(queueId())]].sort(),
    );
    for (const [, policy] of policies) {
      const [queueRef] = policy.Properties.Queues as Array<{ Ref: string }>;
      const policyStatements = policy.Properties.PolicyDocument.Statement as Array<
        Statement & { Principal: unknown; Condition: unknown }
      >;
      expect(policyStatements).toContainEqual({
        Effect: 'Deny',
        Action: 'sqs:*',
        Principal: { AWS: '*' },
        Resource: { 'Fn::GetAtt': [queueRef?.Ref, 'Arn'] },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      const allows = policyStatements.filter((st) => st.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      // Sending (plus looking the queue up), never receiving or deleting.
      expect(asList(allows[0]?.Action ?? []).filter((a) => !/^sqs:GetQueue/.test(a))).toEqual([
        'sqs:SendMessage',
      ]);
      expect(allows[0]).toMatchObject({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          ArnEquals: {
            'aws:SourceArn': {
              'Fn::GetAtt': [
                synth.stack.getLogicalId(
                  synth.stack.service.processingRule.node.defaultChild as never,
                ),
                'Arn',
              ],
            },
          },
        },
      });
    }
  });

  it('updates attachment records (UpdateItem on ATTACHMENT#) and writes blob intents, nothing else', () => {
    const dynamo = statements(PROCESSING_FUNCTION).filter((s) =>
      asList(s.Action).some((a) => a.startsWith('dynamodb:')),
    );
    const writes = dynamo.filter((s) => asList(s.Action).some((a) => !TABLE_READS.includes(a)));
    expect(writes).toEqual([
      {
        Sid: 'PutItems',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: { 'Fn::GetAtt': [tableId(), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INTENT#*'] } },
      },
      {
        Sid: 'UpdateItems',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [tableId(), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ATTACHMENT#*'] } },
      },
      {
        Sid: 'DeleteItems',
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: { 'Fn::GetAtt': [tableId(), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INTENT#*'] } },
      },
    ]);
  });

  it('reads stored files, writes and deletes thumbnails, nothing else in S3', () => {
    const bucketArn = `<${bucketId()}.Arn>`;
    const byAction = new Map<string, string[]>();
    for (const s of statements(PROCESSING_FUNCTION)) {
      for (const action of asList(s.Action).filter((a) => a.startsWith('s3:'))) {
        byAction.set(action, [...(byAction.get(action) ?? []), ...asList(s.Resource).map(flatten)]);
      }
    }
    expect(Object.fromEntries(byAction)).toEqual({
      's3:GetObject': [`${bucketArn}/uploads/*`],
      's3:PutObject': [`${bucketArn}/thumbnails/*`],
      's3:DeleteObject': [`${bucketArn}/thumbnails/*`],
      // Holds are placed per version (see the legal-hold test above for the ON condition).
      's3:ListBucketVersions': [bucketArn],
      's3:PutObjectLegalHold': [`${bucketArn}/thumbnails/*`],
    });
  });
});

describe('upload sessions', () => {
  const statements = (name: string): Statement[] =>
    statementsOf(json, synth.stack, synth.stack.service, name);
  const objectGrants = (name: string) =>
    Object.fromEntries(
      statements(name)
        .filter((s) => asList(s.Action).some((a) => a.startsWith('s3:')))
        .map((s) => [
          asList(s.Action).join(','),
          asList(s.Resource)
            .map(flatten)
            .map((r) => r.replace(`<${bucketId()}.Arn>`, '')),
        ]),
    );

  it.each([
    ['POST /api/v1/media/uploads', 'create-upload-session'],
    ['POST /api/v1/media/uploads/{uploadId}/complete', 'complete-upload-session'],
  ])('%s is routed to %s', (routeKey, name) => {
    const found = resourcesOf(json, 'AWS::ApiGatewayV2::Route').filter(
      ([, r]) => r.Properties.RouteKey === routeKey,
    );
    expect(found).toHaveLength(1);
    const [, route] = found[0] as [string, CfnResource];
    const integrationId = (route.Properties.Target['Fn::Join'][1] as unknown[])[1] as {
      Ref: string;
    };
    expect((json.Resources[integrationId.Ref] as CfnResource).Properties.IntegrationUri).toEqual({
      'Fn::GetAtt': [lambdaIdOf(name), 'Arn'],
    });
  });

  it('starting a session presigns PUTs to staging/ only and publishes nothing', () => {
    expect(objectGrants('create-upload-session')).toEqual({ 's3:PutObject': ['/staging/*'] });
    expect(actionsOf(statements('create-upload-session'))).not.toContain('events:PutEvents');
  });

  it('completing reads staging/, stores under uploads/, removes either, publishes nothing', () => {
    expect(objectGrants('complete-upload-session')).toEqual({
      's3:GetObject': ['/staging/*'],
      's3:PutObject': ['/uploads/*'],
      's3:DeleteObject': ['/staging/*', '/uploads/*'],
    });
    expect(actionsOf(statements('complete-upload-session'))).not.toContain('events:PutEvents');
  });
});

describe('HTTP API', () => {
  it('is an HTTP API (payload 2.0) with one route per routes.ts entry, plus $default', () => {
    onlyResource(json, 'AWS::ApiGatewayV2::Api');
    const routeKeys = resourcesOf(json, 'AWS::ApiGatewayV2::Route').map(
      ([, r]) => r.Properties.RouteKey as string,
    );
    expect(routeKeys.sort()).toEqual(
      [...routes.map((r) => `${r.method} ${r.path}`), '$default'].sort(),
    );
  });

  it.each([
    ...routes.map((r) => [`${r.method} ${r.path}`, r.name as string] as const),
    // Every request no route takes: 404/405 in the envelope instead of the gateway's own 404.
    ['$default', UNMATCHED_ROUTE_FUNCTION] as const,
  ])('%s → %s via a Lambda proxy integration (payload 2.0)', (routeKey, name) => {
    const [, route] = resourcesOf(json, 'AWS::ApiGatewayV2::Route').find(
      ([, r]) => r.Properties.RouteKey === routeKey,
    ) as [string, CfnResource];
    expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    const integrationId = (route.Properties.Target['Fn::Join'][1] as unknown[])[1] as {
      Ref: string;
    };
    const integration = json.Resources[integrationId.Ref] as CfnResource;
    const fnId = synth.stack.getLogicalId(
      synth.stack.service.functions.get(name)?.function.node.defaultChild as never,
    );
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
  });

  it('lets API Gateway invoke each function only through its route', () => {
    const permissions = resourcesOf(json, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    expect(permissions).toHaveLength(routes.length + 1);
    const fnIdOf = (name: string) =>
      synth.stack.getLogicalId(
        synth.stack.service.functions.get(name)?.function.node.defaultChild as never,
      );
    for (const [, p] of permissions) {
      const arn = flatten(p.Properties.SourceArn);
      if (p.Properties.FunctionName['Fn::GetAtt'][0] === fnIdOf(UNMATCHED_ROUTE_FUNCTION)) {
        // `$default` takes whatever no route takes, so any method and path of the API.
        expect(arn).toMatch(/:execute-api:[^/]+\/\*\/\*$/);
      } else expect(arn).toMatch(/:execute-api:.*\/\*\/\*\/.+/);
    }
  });

  it('gives the $default route function no access to the table, the bucket or the bus', () => {
    const statements = statementsOf(
      json,
      synth.stack,
      synth.stack.service,
      UNMATCHED_ROUTE_FUNCTION,
    );
    const actions = [...actionsOf(statements)];
    // Its traces and its own log group (as every function), nothing else.
    expect(actions.filter((a) => !/^(xray|logs):/.test(a))).toEqual([]);
    const fn = synth.stack.service.functions.get(UNMATCHED_ROUTE_FUNCTION)?.function;
    const fnId = synth.stack.getLogicalId(fn?.node.defaultChild as never);
    expect((json.Resources[fnId] as CfnResource).Properties.TracingConfig).toEqual({
      Mode: 'Active',
    });
  });

  it('throttles the $default stage with the configured rate and burst', () => {
    const [, stage] = onlyResource(json, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 },
    });
    // No route (the public GET /health included) is exempted from the stage throttle.
    expect(stage.Properties.RouteSettings).toBeUndefined();
    expect(resourcesOf(json, 'AWS::ApiGatewayV2::ApiGatewayManagedOverrides')).toEqual([]);
  });

  it('writes JSON access logs with the request id to a retained log group', () => {
    const [, stage] = onlyResource(json, 'AWS::ApiGatewayV2::Stage');
    const { DestinationArn, Format } = stage.Properties.AccessLogSettings;
    const groupId = synth.stack.getLogicalId(
      synth.stack.service.apiAccessLogs.node.defaultChild as never,
    );
    expect(DestinationArn).toEqual({ 'Fn::GetAtt': [groupId, 'Arn'] });
    // Substitute what API Gateway would render, then it must be one JSON object.
    const rendered = (Format as string)
      .replace('$context.error.messageString', '"Internal Server Error"')
      .replace(/\$context\.[\w.]+/g, 'x');
    const line = JSON.parse(rendered) as Record<string, string>;
    expect(Object.keys(line)).toEqual([...Object.keys(ACCESS_LOG_FIELDS), 'error']);
    expect(Format).toContain('"requestId":"$context.requestId"');
    expect(Format).not.toMatch(/header|authorization|body/i);
    const group = json.Resources[groupId] as CfnResource;
    expect(group.Properties.RetentionInDays).toBe(90);
    expect(group.DeletionPolicy).toBe('Retain');
  });

  it('answers CORS preflights for the configured origins only', () => {
    const [, api] = onlyResource(json, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toEqual({
      AllowOrigins: ORIGINS,
      AllowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      AllowHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id'],
      ExposeHeaders: ['x-request-id'],
      AllowCredentials: false,
      MaxAge: 3600,
    });
  });
});

describe('defaults', () => {
  it('7-day grace, 50 MB uploads, no CORS, 30-day logs, 100/200 throttle, no reserved concurrency', () => {
    const dev = synthStack({ service: { stageName: 'dev' } });
    const [, api] = onlyResource(dev.json, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
    const [, stage] = onlyResource(dev.json, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
    const fn = resourcesOf(dev.json, 'AWS::Lambda::Function')[0]?.[1] as CfnResource;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      MEDIA_GRACE_PERIOD_SECONDS: '604800',
      MEDIA_MAX_UPLOAD_BYTES: '52428800',
      MEDIA_RATE_LIMIT_PER_MINUTE: '600',
      MEDIA_INDEX_SHARDS: '16',
      MEDIA_KEEP_LOCATION: 'false',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    const [, bucket] = resourcesOf(dev.json, 'AWS::S3::Bucket').find(
      ([, b]) => b.Properties.ObjectLockEnabled,
    ) as [string, CfnResource];
    expect(bucket.Properties.CorsConfiguration).toBeUndefined();
    expect(dev.stack.terminationProtection).toBe(false);
    const [, group] = resourcesOf(dev.json, 'AWS::Logs::LogGroup')[0] as [string, CfnResource];
    expect(group.Properties.RetentionInDays).toBe(30);
    const processing = dev.stack.service.functions.get(PROCESSING_FUNCTION)?.function;
    const processingId = dev.stack.getLogicalId(processing?.node.defaultChild as never);
    // A fresh account's low concurrency quota refuses any reservation: none unless asked for.
    expect(dev.json.Resources[processingId]?.Properties).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
    for (const [id, fn] of resourcesOf(dev.json, 'AWS::Lambda::Function')) {
      expect(fn.Properties.ReservedConcurrentExecutions, id).toBeUndefined();
    }
    // Nor a cap on the processing queue's event source: it scales as far as the account goes.
    const mapping = mappingOf(dev.json, PROCESSING_FUNCTION, dev.stack);
    expect(mapping.Properties.ScalingConfig).toBeUndefined();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
