/**
 * The whole service as one construct: the DynamoDB table (built from the shared definition),
 * the media bucket (versioned, Object Lock, lifecycle purge), one Lambda per route of
 * `functions/routes.ts` behind an HTTP API, the processing of stored files (S3 "Object Created"
 * events through EventBridge into an SQS queue, with a dead-letter queue), the scheduled sweeps (purge, orphans),
 * the domain event bus fed from the table's change stream, and the alarms worth paging on.
 *
 * Everything stateful is RETAINed: removing the stack never deletes media or records.
 */
import { Aws, Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  type CorsPreflightOptions,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Alarm, Dashboard, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  AttributeType,
  Billing,
  type ProjectionType,
  StreamViewType,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  routes as defaultRoutes,
  type RouteDefinition,
  UNMATCHED_ROUTE_FUNCTION,
} from '../functions/routes.ts';
import { projectionOf, tableDefinition } from '../lib/db/table-definition.ts';
import { DEFAULT_METRICS_NAMESPACE } from '../lib/observability/metrics.ts';
import { BucketProtection, defaultDeployRoleArns } from './bucket-protection.ts';
import { MediaCdn } from './cdn.ts';
import { pascal } from './construct-ids.ts';
import { EventDelivery, STREAM_EVENTS_FUNCTION } from './event-delivery.ts';
import {
  accessFor,
  functionAccess as defaultFunctionAccess,
  type FunctionAccess,
} from './function-access.ts';
import { mediaBucketLifecycleRules } from './lifecycle-rules.ts';
import {
  type BucketProtectionProps,
  type MediaServiceProps,
  MediaServicePropsError,
  type ResolvedMediaServiceProps,
  resolveMediaServiceProps,
} from './media-service-props.ts';
import { ProcessingQueue } from './processing-queue.ts';
import { ServiceAlarms } from './service-alarms.ts';
import { ServiceDashboard } from './service-dashboard.ts';
import { ServiceFunction } from './service-function.ts';

export type { MediaServiceProps } from './media-service-props.ts';

/** `POWERTOOLS_SERVICE_NAME` (same as the local default in lib/logger.ts). */
export const SERVICE_NAME = 'media';

/** CloudWatch namespace of the service's own metrics (lib/observability/metrics.ts). */
export const METRICS_NAMESPACE = DEFAULT_METRICS_NAMESPACE;

/** HTTP API integrations time out at 30 s; a function must finish (and answer) before. */
export const MAX_HTTP_TIMEOUT_SECONDS = 29;

/**
 * The scheduled workers (folders under `functions/`) and how often they run. Each run of a
 * sweep works until its queue is done or its invocation's time runs low, and the next run
 * continues (`lib/db/due-queue.ts`): the purge sweep every 15 minutes (with a 15-minute timeout
 * a backlog is worked on almost continuously; concurrent runs are safe), the orphan sweep (only
 * expired upload intents) every hour.
 */
export const SCHEDULED_FUNCTIONS = [
  { name: 'purge-sweep', every: Duration.minutes(15) },
  { name: 'orphan-sweep', every: Duration.hours(1) },
] as const;

/** The worker run on S3 "Object Created" events of stored files (thumbnails, metadata). */
export const PROCESSING_FUNCTION = 'process-media';

/** Options of a function that only its creator decides (routes take the defaults). */
export interface AddFunctionOptions {
  /** Reserved concurrency (a cap, and a guarantee). @default none: the account's pool */
  reservedConcurrency?: number;
  /**
   * Page when the function is throttled. Off where a throttled invocation is retried and a
   * backlog alarm pages instead (the processing worker: its batch goes back to the queue, whose
   * oldest-message age pages). @default true
   */
  throttleAlarm?: boolean;
  /** Memory in MB instead of the access entry's (a prop of the service). */
  memoryMb?: number;
}

/** Headers a browser client sends: the two API key headers and JSON bodies. */
const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'x-api-key', 'x-request-id'];
const CORS_EXPOSE_HEADERS = ['x-request-id'];

export class MediaService extends Construct {
  readonly settings: ResolvedMediaServiceProps;
  readonly table: TableV2;
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;
  /** Domain events (`media.deleted`, `media.purged`, …; see lib/events/domain-events.ts). */
  readonly eventBus: EventBus;
  /** The table's change stream → the bus (`stream-events`, its dead-letter queue, alarms). */
  readonly eventDelivery: EventDelivery;
  /** Storage events of stored files, queued for `process-media` (`infra/processing-queue.ts`). */
  readonly processing: ProcessingQueue;
  /**
   * Processing events given up on: by the processing queue after its receives (the message is
   * the EventBridge event) or by EventBridge when it could not queue an event at all. Kept 14
   * days for inspection; re-sending a message's body to the processing queue is safe,
   * processing is idempotent.
   */
  readonly processingDeadLetterQueue: Queue;
  /** The default-bus rule that queues the bucket's "Object Created" events under `uploads/`. */
  readonly processingRule: Rule;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly apiAccessLogs: LogGroup;
  /** The API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/`. */
  readonly apiUrl: string;
  /** Every function by name (folder under `functions/`). */
  readonly functions = new Map<string, ServiceFunction>();
  private readonly integrations = new Map<string, HttpLambdaIntegration>();
  /** Every alarm notifies this topic (given, or created with an optional email subscription). */
  readonly alarmTopic: ITopic | undefined;
  /** The alarms (empty when `alarms.enabled` is false). */
  get alarms(): readonly Alarm[] {
    return this.serviceAlarms?.alarms ?? [];
  }
  /** CloudFront in front of the API and file delivery, when the `cdn` prop is set. */
  readonly cdn: MediaCdn | undefined;
  /** API, functions, table, processing and the service's own metrics on one page. */
  readonly dashboard: Dashboard;
  /** The media bucket's deny statements and the break-glass role. */
  readonly bucketProtection: BucketProtection;

  private readonly access: Readonly<Record<string, FunctionAccess>>;
  private readonly serviceAlarms: ServiceAlarms | undefined;
  private readonly routeNames: Set<string>;
  private readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: MediaServiceProps) {
    super(scope, id);
    // Validate everything before creating anything.
    this.settings = resolveMediaServiceProps(props);
    this.access = props.functionAccess ?? defaultFunctionAccess;
    const routes = props.routes ?? defaultRoutes;
    this.checkRoutes(routes);
    this.routeNames = new Set([...routes.map((route) => route.name), UNMATCHED_ROUTE_FUNCTION]);
    const s = this.settings;

    Tags.of(this).add('service', 'media-service');
    Tags.of(this).add('stage', s.stageName);

    if (s.alarms.enabled) {
      this.alarmTopic = s.alarms.topic ?? this.createAlarmTopic(s.alarms.email);
      this.serviceAlarms = new ServiceAlarms(this, 'Alarms', {
        stageName: s.stageName,
        topic: this.alarmTopic,
        actions: s.alarms.actions,
        thresholds: s.alarms.thresholds,
      });
    }

    this.table = this.createTable();
    this.accessLogsBucket = this.createAccessLogsBucket();
    this.bucket = this.createMediaBucket();
    this.eventBus = new EventBus(this, 'DomainEvents', {
      description: `Domain events of the media service (${s.stageName})`,
    });

    // EVENT_BUS_NAME is added per function, where the access map lets it publish.
    this.environment = {
      TABLE_NAME: this.table.tableName,
      BUCKET_NAME: this.bucket.bucketName,
      MEDIA_STORAGE_MODE: 'aws',
      MEDIA_MAX_UPLOAD_BYTES: String(s.maxUploadBytes),
      MEDIA_RATE_LIMIT_PER_MINUTE: String(s.rateLimitPerMinute),
      MEDIA_KEEP_LOCATION: String(s.keepLocation),
      MEDIA_GRACE_PERIOD_SECONDS: String(s.gracePeriodDays * 86_400),
      MEDIA_INDEX_SHARDS: String(s.indexShards),
      // Seals list cursors (lib/attachments/read/cursor.ts): the same for every instance of the
      // stack, unknown outside the account (the stack id ends in a random UUID).
      MEDIA_CURSOR_SECRET: Aws.STACK_ID,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      // Responses carry names and emails: traces keep timings and errors, never bodies.
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
    };

    this.apiAccessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: s.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `media-service-${s.stageName}`,
      description: `Media attachments API (${s.stageName})`,
      // The default stage is created below with throttling and access logs.
      createDefaultStage: false,
      corsPreflight: this.corsOptions(),
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      // `$default`: no stage prefix in the path, so `rawPath` is what the handlers expect.
      stageName: '$default',
      autoDeploy: true,
      throttle: s.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.apiAccessLogs),
        format: AccessLogFormat.custom(accessLogFormat()),
      },
    });
    this.apiUrl = this.stage.url;
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Callers authenticate with API keys (Authorization: Bearer pf_live_… or X-API-Key) ' +
          'verified inside each function against hashed keys in DynamoDB, with live membership, ' +
          'role and scope checks on every request (media-api.md §1); GET /health is public by ' +
          'contract, and the $default route only answers 404/405 (no data). An API Gateway authorizer would duplicate that lookup and could not make ' +
          'the per-request role decisions.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'No Cognito user pool: the service authenticates its own API keys (see APIG4); end ' +
          'users never sign in to this API directly.',
      },
    );

    for (const route of routes) this.addRoute(route);
    this.addDefaultRoute();
    for (const worker of SCHEDULED_FUNCTIONS) this.addSchedule(worker.name, worker.every);
    ({ queue: this.processing, deadLetterQueue: this.processingDeadLetterQueue } =
      this.addProcessing());
    this.processingRule = this.processing.rule;
    this.eventDelivery = new EventDelivery(this, 'EventDelivery', {
      table: this.table,
      function: this.addFunction(STREAM_EVENTS_FUNCTION),
      addAlarm: (alarmId, metric, options) => this.addAlarm(alarmId, metric, options),
    });

    this.bucketProtection = this.protectBucket(props.bucketProtection ?? {});

    this.serviceAlarms?.addApi(this.api);
    this.serviceAlarms?.addTable(this.table);

    if (s.cdn) {
      this.cdn = new MediaCdn(this, 'Cdn', {
        ...s.cdn,
        api: this.api,
        bucket: this.bucket,
        stageName: s.stageName,
      });
    }

    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      stageName: s.stageName,
      api: this.api,
      functions: new Map([...this.functions].map(([name, fn]) => [name, fn.function])),
      table: this.table,
      processingQueue: this.processing.queue,
      processingRule: this.processingRule,
      deadLetterQueue: this.processingDeadLetterQueue,
      alarms: this.alarms,
      metricsNamespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
    }).dashboard;
    this.dashboard.addWidgets(...this.eventDelivery.widgets());
  }

  /** The topic alarms notify when none is given; an email address is subscribed when given. */
  private createAlarmTopic(email: string | undefined): Topic {
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: `media-service ${this.settings.stageName} alarms`,
      enforceSSL: true,
    });
    if (email) topic.addSubscription(new EmailSubscription(email));
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and states, no service data; CloudWatch cannot ' +
        'publish to a topic encrypted with the AWS managed SNS key, and a customer managed key ' +
        'for this alone would add cost and a key policy to maintain.',
    });
    return topic;
  }

  /** Denies hold, version and bucket-setting changes to everyone but the roles that need them. */
  private protectBucket(props: BucketProtectionProps): BucketProtection {
    const deployRoleArns = props.deployRoleArns ?? defaultDeployRoleArns(this);
    if (deployRoleArns.length === 0) {
      throw new MediaServicePropsError(
        'bucketProtection.deployRoleArns',
        'is required with a stack synthesizer that has no CloudFormation execution role: the ' +
          'bucket policy must let the deploying role update lifecycle, versioning and the policy',
      );
    }
    return new BucketProtection(this, 'BucketProtection', {
      bucket: this.bucket,
      functionRoles: [...this.functions].map(([name, fn]) => ({
        roleArn: fn.role.roleArn,
        access: accessFor(name, this.access),
      })),
      deployRoleArns,
      breakGlassRoleArn: props.breakGlassRoleArn,
    });
  }

  /**
   * Creates (once) the function `name` from `functions/<name>/handler.ts` with the grants and
   * sizing of its access entry, plus its error and (unless `options` say otherwise) throttle
   * alarms. Routes call this, and the workers (processing, sweeps), which then attach their own
   * triggers. `options` only apply when this call creates the function.
   */
  addFunction(name: string, options: AddFunctionOptions = {}): NodejsFunction {
    const existing = this.functions.get(name);
    if (existing) return existing.function;
    const entry = accessFor(name, this.access);
    const access =
      options.memoryMb === undefined ? entry : { ...entry, memoryMb: options.memoryMb };
    const fn = new ServiceFunction(this, `${pascal(name)}`, {
      name,
      description: `media-service ${this.settings.stageName}: ${name}`,
      access,
      table: this.table,
      bucket: this.bucket,
      eventBus: this.eventBus,
      environment: this.environment,
      logRetention: this.settings.logRetention,
      logLevel: this.settings.logLevel,
      reservedConcurrency: options.reservedConcurrency,
    });
    this.functions.set(name, fn);
    this.serviceAlarms?.addFunction(name, fn.function, {
      http: this.routeNames.has(name),
      throttles: options.throttleAlarm ?? true,
    });
    return fn.function;
  }

  /**
   * An alarm (metric ≥ threshold) wired to the alarm topic and actions, for resources added
   * later. Undefined when alarms are disabled.
   */
  addAlarm(
    id: string,
    metric: IMetric,
    options: { threshold: number; description: string; evaluationPeriods?: number },
  ): Alarm | undefined {
    return this.serviceAlarms?.add(id, metric, options);
  }

  private checkRoutes(routes: readonly RouteDefinition[]): void {
    const seen = new Set<string>();
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      if (seen.has(key)) throw new Error(`MediaService: route ${key} is declared twice`);
      seen.add(key);
      const access = accessFor(route.name, this.access);
      if (access.timeoutSeconds > MAX_HTTP_TIMEOUT_SECONDS) {
        throw new Error(
          `MediaService: function "${route.name}" serves ${key} but its timeout is ` +
            `${access.timeoutSeconds} s; HTTP API integrations give up after 30 s, so HTTP ` +
            `functions must time out within ${MAX_HTTP_TIMEOUT_SECONDS} s (infra/function-access.ts).`,
        );
      }
    }
  }

  private addRoute(route: RouteDefinition): void {
    const fn = this.addFunction(route.name);
    // One integration per function: several routes (GET and HEAD, files and thumbnails) share it.
    let integration = this.integrations.get(route.name);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${pascal(route.name)}Integration`, fn, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      });
      this.integrations.set(route.name, integration);
    }
    this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
  }

  /**
   * API Gateway's `$default` route, to a function that answers 404 `not_found` or 405
   * `method_not_allowed` (+ `Allow`) in the error envelope with `x-request-id`, as the local
   * adapter does; without it the gateway answers an unrouted request itself, with
   * `{"message":"Not Found"}`. It matches against functions/routes.ts, bundled with it. CORS
   * preflights stay the gateway's (its CORS configuration answers them without an OPTIONS
   * route); any other OPTIONS gets the 405, as locally.
   */
  private addDefaultRoute(): void {
    const fn = this.addFunction(UNMATCHED_ROUTE_FUNCTION);
    // Under the API, like the routes addRoutes creates (its cdk-nag acknowledgements cover it).
    new HttpRoute(this.api, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration(`${pascal(UNMATCHED_ROUTE_FUNCTION)}Integration`, fn, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
  }

  /**
   * A worker run on a schedule by an EventBridge rule (on the default bus: schedules live
   * there). A failed run is retried twice; the next scheduled run picks up what is left anyway.
   */
  private addSchedule(name: string, every: Duration): void {
    const fn = this.addFunction(name);
    new Rule(this, `${pascal(name)}Schedule`, {
      description: `media-service ${this.settings.stageName}: run ${name} every ${every.toHumanString()}`,
      schedule: Schedule.rate(every),
      targets: [new LambdaFunction(fn, { retryAttempts: 2 })],
    });
  }

  /**
   * The processing worker on the bucket's "Object Created" events for stored files, through the
   * processing queue (`infra/processing-queue.ts`): S3 sends them to the default bus
   * (EventBridge notifications are enabled on the bucket); the rule keeps those of this bucket
   * under `uploads/` (thumbnails, staging and hold markers never trigger it, so it cannot
   * trigger itself) and queues them; what keeps failing lands in the dead-letter queue, whose
   * age pages, as does the age of the queue's oldest message.
   */
  private addProcessing(): { queue: ProcessingQueue; deadLetterQueue: Queue } {
    const name = PROCESSING_FUNCTION;
    // Throttled batches go back to the queue and are retried; the backlog age pages instead.
    const fn = this.addFunction(name, {
      throttleAlarm: false,
      memoryMb: this.settings.processingMemoryMb,
    });
    const deadLetterQueue = new Queue(this, 'ProcessingDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the processing queue (its redrive target) and ' +
        'of the EventBridge rule feeding it; a dead-letter queue of its own would only move ' +
        'the same messages one queue further.',
    });
    const queue = new ProcessingQueue(this, 'Processing', {
      stageName: this.settings.stageName,
      bucket: this.bucket,
      processor: fn,
      processorTimeout: Duration.seconds(accessFor(name, this.access).timeoutSeconds),
      deadLetterQueue,
      maxConcurrency: this.settings.processingConcurrency,
    });
    this.serviceAlarms?.addProcessing(queue.queue, deadLetterQueue);
    return { queue, deadLetterQueue };
  }

  private createTable(): TableV2 {
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    return new TableV2(this, 'Table', {
      partitionKey: key(tableDefinition.partitionKey),
      sortKey: key(tableDefinition.sortKey),
      globalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => {
        // The layout's projection, exactly as toCreateTableInput spells it locally.
        const projection = projectionOf(index.indexName, this.settings.indexProjection);
        return {
          indexName: index.indexName,
          partitionKey: key(index.partitionKey),
          sortKey: key(index.sortKey),
          projectionType: projection.ProjectionType as ProjectionType,
          ...(projection.NonKeyAttributes ? { nonKeyAttributes: projection.NonKeyAttributes } : {}),
        };
      }),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      // Domain events are derived from it (infra/event-delivery.ts), as TABLE_STREAM locally.
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private createAccessLogsBucket(): Bucket {
    const { logRetention } = this.settings;
    const bucket = new Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Server access log delivery supports SSE-S3 only.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules:
        logRetention === RetentionDays.INFINITE
          ? []
          : [{ id: 'ExpireAccessLogs', expiration: Duration.days(logRetention) }],
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the media bucket server access logs; logging it as well would ' +
        'only log the log deliveries.',
    });
    return bucket;
  }

  private createMediaBucket(): Bucket {
    const { gracePeriodDays, allowedOrigins } = this.settings;
    const bucket = new Bucket(this, 'MediaBucket', {
      versioned: true,
      // Legal holds only: no default retention, so nothing is locked unless a hold is placed.
      objectLockEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // No autoDeleteObjects: it cannot empty an Object Lock bucket, and media must outlive stacks.
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'media-bucket/',
      lifecycleRules: mediaBucketLifecycleRules(gracePeriodDays),
      // Browsers PUT to presigned upload-session URLs and follow GET redirects to signed URLs.
      cors:
        allowedOrigins.length > 0
          ? [
              {
                allowedOrigins,
                allowedMethods: [HttpMethods.GET, HttpMethods.HEAD, HttpMethods.PUT],
                allowedHeaders: ['*'],
                exposedHeaders: ['ETag'],
                maxAge: 3600,
              },
            ]
          : undefined,
    });
    // Object-level events go to EventBridge (the processing function subscribes with a rule).
    // Set on the CloudFormation resource itself: the L2 `eventBridgeEnabled` adds a
    // custom-resource Lambda to do the same thing.
    (bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    return bucket;
  }

  private corsOptions(): CorsPreflightOptions | undefined {
    const { allowedOrigins } = this.settings;
    if (allowedOrigins.length === 0) return undefined;
    return {
      allowOrigins: allowedOrigins,
      allowMethods: [
        CorsHttpMethod.GET,
        CorsHttpMethod.POST,
        CorsHttpMethod.PUT,
        CorsHttpMethod.DELETE,
        CorsHttpMethod.OPTIONS,
      ],
      allowHeaders: CORS_ALLOW_HEADERS,
      exposeHeaders: CORS_EXPOSE_HEADERS,
      // Keys travel in headers, never cookies.
      allowCredentials: false,
      maxAge: Duration.hours(1),
    };
  }
}

/** One JSON object per request; never headers (they carry API keys) or bodies. */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  requestTimeEpoch: '$context.requestTimeEpoch',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
} as const;

/**
 * The access log line: `ACCESS_LOG_FIELDS` as JSON, plus the gateway's own error message through
 * `$context.error.messageString`, which API Gateway renders already quoted and escaped (a bare
 * `$context.error.message` containing a quote would break the JSON).
 */
export function accessLogFormat(): string {
  const fields = JSON.stringify(ACCESS_LOG_FIELDS);
  return `${fields.slice(0, -1)},"error":$context.error.messageString}`;
}
