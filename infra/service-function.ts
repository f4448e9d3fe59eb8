/**
 * One Lambda of the service with everything it needs beside it: its own log group (retention
 * from props, no `logRetention` custom resource), its own role with no managed policy (log
 * writes, X-Ray and the grants of its `functionAccess` entry, nothing else), and the fixed
 * runtime settings: Node.js 22 on arm64, ESM bundle, active tracing, JSON logs.
 */
import * as path from 'node:path';
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type ItemKind, keys, partitionPattern } from '../lib/db/keys.ts';
import { tableDefinition } from '../lib/db/table-definition.ts';
import { bundlingOptions } from './bundling.ts';
import {
  type FunctionAccess,
  type KeyPrefix,
  MEDIA_PREFIXES,
  type TableWrite,
} from './function-access.ts';
import type { LogLevel } from './media-service-props.ts';
import { PROJECT_ROOT } from './paths.ts';

export const TABLE_ACTIONS = {
  healthSentinel: ['dynamodb:GetItem'],
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
} as const;

/** Each declared write, its IAM action and statement id (one statement per action). */
export const WRITE_ACTIONS: Readonly<Record<TableWrite, { action: string; sid: string }>> = {
  put: { action: 'dynamodb:PutItem', sid: 'PutItems' },
  update: { action: 'dynamodb:UpdateItem', sid: 'UpdateItems' },
  delete: { action: 'dynamodb:DeleteItem', sid: 'DeleteItems' },
  check: { action: 'dynamodb:ConditionCheckItem', sid: 'CheckItems' },
};

/** The partition `GET /health` reads (`healthSentinel`), spelled by `keys.ts`. */
export const HEALTH_PARTITION = keys.healthSentinel().PK;

export interface ServiceFunctionProps {
  /** Folder under `functions/`; the entry is `functions/<name>/handler.ts`, export `handler`. */
  name: string;
  description: string;
  access: FunctionAccess;
  table: ITableV2;
  bucket: IBucket;
  /** The domain event bus (`publishEvents` grants PutEvents on it and sets EVENT_BUS_NAME). */
  eventBus: IEventBus;
  /** The service's settings; `EVENT_BUS_NAME` is added for the functions that publish. */
  environment: Record<string, string>;
  logRetention: RetentionDays;
  logLevel: LogLevel;
  /** Reserved concurrency; none by default (the account's unreserved pool). */
  reservedConcurrency?: number;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { access, name } = props;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${name} function`,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* on *): write to this function's group only.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    for (const statement of accessStatements(access, props.table, props.bucket, props.eventBus)) {
      this.role.addToPrincipalPolicy(statement);
    }

    const entry = path.join(PROJECT_ROOT, 'functions', name, 'handler.ts');
    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: access.memoryMb,
      timeout: Duration.seconds(access.timeoutSeconds),
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      // Same level as POWERTOOLS_LOG_LEVEL so Lambda's filter and the logger agree.
      applicationLogLevelV2: ApplicationLogLevel[props.logLevel],
      systemLogLevelV2: SystemLogLevel.INFO,
      environment: {
        ...props.environment,
        // Only where events are published: elsewhere the name would be unused (no grant).
        ...(access.publishEvents ? { EVENT_BUS_NAME: props.eventBus.eventBusName } : {}),
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        // Stack traces through the linked source maps.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: bundlingOptions(name),
    });

    this.acknowledgeFindings(access, props.bucket);
  }

  /**
   * The cdk-nag findings this function is expected to raise, each acknowledged by its exact id.
   * IAM5 flags every `*` in a resource; the ones left are intended and acknowledged one by one,
   * so a new wildcard still fails the check.
   */
  private acknowledgeFindings(access: FunctionAccess, bucket: IBucket): void {
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to Node.js 22, the version the code is developed and tested on (node@22 ' +
        'devDependency, esbuild target node22); the runtime moves with that toolchain, not ahead of it.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing) support no ' +
        'resource-level permissions, nor does dynamodb:ListStreams (granted with the table ' +
        "stream's event source to the stream consumer); nothing else in a role uses '*'.",
    });
    const cfnBucket = bucket.node.defaultChild as CfnElement;
    const bucketRef = `<${Stack.of(this).getLogicalId(cfnBucket)}.Arn>`;
    for (const prefix of objectPrefixes(access)) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketRef}/${prefix}*]`,
        reason:
          `Object-level S3 actions are scoped to the "${prefix}" key prefix; object keys are ` +
          'generated per upload, so a prefix is the narrowest resource possible.',
      });
    }
  }
}

/** Every prefix an object-level grant of `access` is scoped to. */
function objectPrefixes(access: FunctionAccess): Set<KeyPrefix> {
  const b = access.bucket ?? {};
  return new Set<KeyPrefix>([
    ...(b.read ?? []),
    ...(b.readVersions ?? []),
    ...(b.write ?? []),
    ...(b.delete ?? []),
    ...(b.deleteVersions ?? []),
    ...(b.legalHold || b.readLegalHold ? MEDIA_PREFIXES : []),
    ...(b.placeHolds ?? []),
  ]);
}

/** The IAM statements an access entry stands for (exported for tests and reviews). */
export function accessStatements(
  access: FunctionAccess,
  table: ITableV2,
  bucket: IBucket,
  eventBus?: IEventBus,
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const indexArns = tableDefinition.globalSecondaryIndexes.map(
    (index) => `${table.tableArn}/index/${index.indexName}`,
  );

  if (access.table === 'healthSentinel') {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadHealthSentinel',
        actions: [...TABLE_ACTIONS.healthSentinel],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [HEALTH_PARTITION] },
        },
      }),
    );
  } else if (access.table) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadItems',
        actions: [...TABLE_ACTIONS.read],
        resources: [table.tableArn, ...indexArns],
      }),
    );
  }

  // One statement per write action, limited to the partitions of the kinds declared for it.
  for (const [write, { action, sid }] of Object.entries(WRITE_ACTIONS)) {
    const kinds = Object.entries(access.writes ?? {})
      .filter(([, how]) => how?.includes(write as TableWrite))
      .map(([kind]) => kind as ItemKind);
    if (kinds.length === 0) continue;
    statements.push(
      new iam.PolicyStatement({
        sid,
        actions: [action],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': kinds.map(partitionPattern) },
        },
      }),
    );
  }

  if (access.scanTable) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ScanTable',
        actions: ['dynamodb:Scan'],
        resources: [table.tableArn],
      }),
    );
  }
  if (access.publishEvents) {
    if (!eventBus) throw new Error('publishEvents needs the event bus');
    statements.push(
      new iam.PolicyStatement({
        sid: 'PublishEvents',
        actions: ['events:PutEvents'],
        resources: [eventBus.eventBusArn],
      }),
    );
  }

  const b = access.bucket;
  if (!b) return statements;
  const bucketLevel: string[] = [
    ...(b.list ? ['s3:ListBucket'] : []),
    ...(b.listVersions ? ['s3:ListBucketVersions'] : []),
  ];
  if (bucketLevel.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ListBucket',
        actions: bucketLevel,
        resources: [bucket.bucketArn],
      }),
    );
  }
  const objectGrants: Array<[sid: string, actions: string[], prefixes: readonly KeyPrefix[]]> = [
    ['ReadObjects', ['s3:GetObject'], b.read ?? []],
    ['ReadObjectVersions', ['s3:GetObjectVersion'], b.readVersions ?? []],
    ['WriteObjects', ['s3:PutObject'], b.write ?? []],
    ['DeleteObjects', ['s3:DeleteObject'], b.delete ?? []],
    ['DeleteObjectVersions', ['s3:DeleteObjectVersion'], b.deleteVersions ?? []],
    [
      'LegalHolds',
      ['s3:PutObjectLegalHold', 's3:GetObjectLegalHold'],
      b.legalHold ? MEDIA_PREFIXES : [],
    ],
    [
      'ReadLegalHolds',
      ['s3:GetObjectLegalHold'],
      b.readLegalHold && !b.legalHold ? MEDIA_PREFIXES : [],
    ],
  ];
  for (const [sid, actions, prefixes] of objectGrants) {
    if (prefixes.length === 0) continue;
    statements.push(
      new iam.PolicyStatement({
        sid,
        actions,
        resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
      }),
    );
  }
  if (b.placeHolds?.length) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'PlaceLegalHolds',
        actions: ['s3:PutObjectLegalHold'],
        resources: b.placeHolds.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
        // The requested status: ON only, so a hold can be placed and never lifted.
        conditions: { StringEquals: { 's3:object-lock-legal-hold': 'ON' } },
      }),
    );
  }
  return statements;
}
