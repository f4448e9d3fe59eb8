/**
 * `MediaService` props and their validation. Bad props fail synthesis with a message that names
 * the prop, the value and what is expected, before any resource is created.
 */
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { RouteDefinition } from '../functions/routes.ts';
import { DEFAULT_INDEX_SHARDS } from '../lib/db/keys.ts';
import {
  DEFAULT_INDEX_PROJECTION,
  INDEX_PROJECTIONS,
  type IndexProjection,
} from '../lib/db/table-definition.ts';
import type { CdnProps } from './cdn.ts';
import { type FunctionAccess, PROCESSING_MEMORY_MB } from './function-access.ts';

export const STAGE_NAMES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ThrottleProps {
  /** Steady-state requests per second across the API's default stage. @default 100 */
  rateLimit?: number;
  /** Burst bucket size. @default 200 */
  burstLimit?: number;
}

export interface AlarmProps {
  /** Create the alarms. @default true */
  enabled?: boolean;
  /** Notified on ALARM and on OK. @default a topic created by the construct */
  topic?: ITopic;
  /** Subscribed by email to the topic the construct creates (not with `topic`). */
  email?: string;
  /** Further actions run on ALARM (e.g. an incident-manager action). */
  actions?: IAlarmAction[];
  /** API 5xx responses as a percentage of requests over 5 minutes. @default 5 */
  apiServerErrorRatePercent?: number;
  /**
   * Rates (API 5xx, HTTP function errors) are only judged when a 5-minute window has at least
   * this many requests. @default 20
   */
  apiMinimumRequests?: number;
  /** Latency budget: page when the API's p99 stays above it for 15 minutes. @default 1000 */
  apiLatencyP99Ms?: number;
  /** Failed invocations (crash, timeout) as a percentage of a function's invocations. @default 5 */
  functionErrorRatePercent?: number;
  /** Throttled invocations as a percentage of a function's invocation attempts. @default 1 */
  functionThrottleRatePercent?: number;
  /** DynamoDB throttled requests per minute, sustained for 10 minutes. @default 10 */
  tableThrottlesPerMinute?: number;
  /** Age of the oldest stored file waiting for processing. @default 15 */
  processingBacklogMinutes?: number;
  /** Age of the oldest event in the processing dead-letter queue. @default 5 */
  deadLetterAgeMinutes?: number;
}

/** Alarm thresholds, as `AlarmProps` names them. */
export const ALARM_THRESHOLD_DEFAULTS = {
  apiServerErrorRatePercent: 5,
  apiMinimumRequests: 20,
  apiLatencyP99Ms: 1000,
  functionErrorRatePercent: 5,
  functionThrottleRatePercent: 1,
  tableThrottlesPerMinute: 10,
  processingBacklogMinutes: 15,
  deadLetterAgeMinutes: 5,
} as const;

export type AlarmThresholds = { -readonly [K in keyof typeof ALARM_THRESHOLD_DEFAULTS]: number };

export interface BucketProtectionProps {
  /**
   * An existing role to use as break-glass (lift holds, delete versions, change lifecycle,
   * versioning, Object Lock or the bucket policy). @default a role created by the construct,
   * assumable by the account's principals with MFA
   */
  breakGlassRoleArn?: string;
  /**
   * Roles CloudFormation deploys the stack with: they must keep changing lifecycle, versioning
   * and the bucket policy. @default the CDK bootstrap's CloudFormation execution role
   * (`cdk-<qualifier>-cfn-exec-role-…`); required with a synthesizer that has none.
   */
  deployRoleArns?: readonly string[];
}

export interface MediaServiceProps {
  /** Deployment stage; tags every resource and names the stack. */
  stageName: StageName;
  /** Days a deleted file stays restorable before storage purges it. Integer > 0. @default 7 */
  gracePeriodDays?: number;
  /**
   * Browser origins allowed by CORS: `https://host[:port]`, `http://localhost[:port]`, or `'*'`
   * alone. Empty: no CORS (server-to-server clients only). @default []
   */
  allowedOrigins?: readonly string[];
  /** Retention of every log this service writes (Lambda, API access, S3 access). @default ONE_MONTH */
  logRetention?: RetentionDays;
  /** Largest decoded upload in bytes (`MEDIA_MAX_UPLOAD_BYTES`). @default 52428800 (50 MB) */
  maxUploadBytes?: number;
  /**
   * Requests per minute per API key (`MEDIA_RATE_LIMIT_PER_MINUTE`); over it: 429. 0 turns the
   * limit off. The default lets one key use a tenth of the stage's steady throttle.
   * @default 600
   */
  rateLimitPerMinute?: number;
  /**
   * Store image originals with their GPS/location metadata (`MEDIA_KEEP_LOCATION`). Off: location
   * is removed before an original is stored. @default false
   */
  keepLocation?: boolean;
  /** `POWERTOOLS_LOG_LEVEL` and the Lambda application log level. @default 'INFO' */
  logLevel?: LogLevel;
  /** Throttling of the HTTP API's default stage. */
  throttle?: ThrottleProps;
  /**
   * Most batches of stored files processed at once (thumbnails, metadata backfill): the
   * maximum concurrency of the processing queue's event source, so a burst of uploads cannot
   * take the account's whole Lambda concurrency; further events wait in the queue. Nothing is
   * reserved, so any account deploys; without it processing scales as far as the account's
   * concurrency (and the event source's 1,000 batches) go. Sizing: docs/capacity.md
   * ("Processing"). Integer between 2 and 1000. @default none
   */
  processingConcurrency?: number;
  /**
   * Memory of the processing function in MB (Lambda gives CPU in proportion). The default is
   * sized from the decode bench (infra/function-access.ts `PROCESSING_MEMORY_MB`): raise it to
   * make HEIC photos above 48 MP fit. Integer between 128 and 10240. @default 1536
   */
  processingMemoryMb?: number;
  /**
   * Shards of the hot table-index partitions (a workspace's and a project's list entries, the
   * purge queue): `MEDIA_INDEX_SHARDS` of every function. Each shard takes up to 1,000 writes/s,
   * and a workspace-wide list page reads every shard; docs/capacity.md shows how to choose.
   * May be raised between deployments, never lowered (records keep their shard).
   * Integer between 1 and 256. @default 16
   */
  indexShards?: number;
  /**
   * What the table's indexes copy of an item (lib/db/table-definition.ts). `'all'`: every
   * attribute, the layout of release 0.1.0. `'lean'`: only what the list and sweep reads use,
   * so a legal-hold change or a purge claim writes no index entry and list pages read ~45 %
   * fewer units; choose it for a NEW table. An existing table cannot switch in one deployment
   * (one index creation or deletion per update): docs/capacity.md, "Moving an existing table
   * to lean". @default 'all'
   */
  indexProjection?: IndexProjection;
  alarms?: AlarmProps;
  /** Who besides the service may lift holds or change the bucket's settings (infra/bucket-protection.ts). */
  bucketProtection?: BucketProtectionProps;
  /** CloudFront in front of the API and file delivery, optionally on a custom domain (infra/cdn.ts). @default none */
  cdn?: CdnProps;
  /**
   * Routes to deploy. The `$default` route's function (unmatched-route) answers 404/405 from
   * the bundled functions/routes.ts, not from this list. @default the list in functions/routes.ts
   */
  routes?: readonly RouteDefinition[];
  /** Per-function permissions and sizing. @default the map in infra/function-access.ts */
  functionAccess?: Readonly<Record<string, FunctionAccess>>;
}

export interface ResolvedMediaServiceProps {
  stageName: StageName;
  gracePeriodDays: number;
  allowedOrigins: string[];
  logRetention: RetentionDays;
  maxUploadBytes: number;
  rateLimitPerMinute: number;
  keepLocation: boolean;
  logLevel: LogLevel;
  throttle: { rateLimit: number; burstLimit: number };
  processingConcurrency: number | undefined;
  processingMemoryMb: number;
  indexShards: number;
  indexProjection: IndexProjection;
  alarms: {
    enabled: boolean;
    topic: ITopic | undefined;
    email: string | undefined;
    actions: IAlarmAction[];
    thresholds: AlarmThresholds;
  };
  cdn: CdnProps | undefined;
}

export const DEFAULTS = {
  gracePeriodDays: 7,
  logRetention: RetentionDays.ONE_MONTH,
  maxUploadBytes: 52_428_800,
  rateLimitPerMinute: 600,
  logLevel: 'INFO',
  rateLimit: 100,
  burstLimit: 200,
  indexShards: DEFAULT_INDEX_SHARDS,
} as const;

/** Thrown for every invalid prop; the message starts with `MediaService: <prop>`. */
export class MediaServicePropsError extends Error {
  override readonly name = 'MediaServicePropsError';
  constructor(prop: string, message: string) {
    super(`MediaService: ${prop} ${message}`);
  }
}

const show = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

function positiveInteger(
  prop: string,
  value: unknown,
  max = Number.MAX_SAFE_INTEGER,
  min = 1,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const lower = min === 1 ? '> 0' : `>= ${min}`;
    const range = max === Number.MAX_SAFE_INTEGER ? lower : `between ${min} and ${max}`;
    throw new MediaServicePropsError(prop, `must be an integer ${range}, got ${show(value)}`);
  }
  return value;
}

function oneOf<T extends string>(prop: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new MediaServicePropsError(
      prop,
      `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${show(value)}`,
    );
  }
  return value as T;
}

/** A count that 0 turns off. */
function wholeNumber(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MediaServicePropsError(prop, `must be an integer >= 0 (0: off), got ${show(value)}`);
  }
  return value;
}

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function isValidHost(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

/**
 * `https://host[:port]` or `http://localhost[:port]`, exactly: scheme, host and optional port,
 * nothing else (an origin never has a path, query, fragment, credentials or trailing slash).
 */
const ORIGIN = /^(https?):\/\/([a-z0-9.-]+)(?::(\d{1,5}))?$/;

function validateOrigin(origin: unknown, index: number): string {
  const prop = `allowedOrigins[${index}]`;
  const expected =
    'expected "https://host[:port]", "http://localhost[:port]" or "*" ' +
    '(no path, query or trailing slash)';
  if (typeof origin !== 'string') {
    throw new MediaServicePropsError(prop, `must be a string, got ${show(origin)}`);
  }
  const match = ORIGIN.exec(origin.toLowerCase());
  const [, scheme, host, port] = match ?? [];
  const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65_535);
  const hostOk = host !== undefined && isValidHost(host);
  const schemeOk = scheme === 'https' || (scheme === 'http' && host === 'localhost');
  if (!match || !hostOk || !portOk || !schemeOk) {
    const why =
      match && scheme === 'http' && host !== 'localhost'
        ? 'plain http is only allowed for localhost; '
        : '';
    throw new MediaServicePropsError(
      prop,
      `${show(origin)} is not a valid origin: ${why}${expected}`,
    );
  }
  return origin.toLowerCase();
}

export function validateAllowedOrigins(origins: readonly unknown[] | undefined): string[] {
  if (origins === undefined) return [];
  if (!Array.isArray(origins)) {
    throw new MediaServicePropsError('allowedOrigins', `must be an array, got ${show(origins)}`);
  }
  if (origins.includes('*')) {
    if (origins.length > 1) {
      throw new MediaServicePropsError(
        'allowedOrigins',
        `"*" allows every origin and cannot be combined with others, got ${JSON.stringify(origins)}`,
      );
    }
    return ['*'];
  }
  const result = origins.map(validateOrigin);
  return [...new Set(result)];
}

const RETENTION_VALUES = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

/** The stage name, checked on its own: it names the stack before the construct sees its props. */
export function validateStageName(stageName: unknown): StageName {
  return oneOf('stageName', stageName, STAGE_NAMES);
}

export function resolveMediaServiceProps(props: MediaServiceProps): ResolvedMediaServiceProps {
  if (!props || typeof props !== 'object') {
    throw new MediaServicePropsError('props', 'are required (at least { stageName })');
  }
  const stageName = validateStageName(props.stageName);
  const gracePeriodDays = positiveInteger(
    'gracePeriodDays',
    props.gracePeriodDays ?? DEFAULTS.gracePeriodDays,
    // S3 lifecycle NoncurrentDays is bounded; 100 years is far beyond any sane grace period.
    36_500,
  );
  const logRetention = props.logRetention ?? DEFAULTS.logRetention;
  if (!RETENTION_VALUES.has(logRetention)) {
    throw new MediaServicePropsError(
      'logRetention',
      `must be a RetentionDays value (${[...RETENTION_VALUES].join(', ')}), got ${show(logRetention)}`,
    );
  }
  const logLevel = props.logLevel ?? DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly unknown[]).includes(logLevel)) {
    throw new MediaServicePropsError(
      'logLevel',
      `must be one of ${LOG_LEVELS.join(', ')}, got ${show(logLevel)}`,
    );
  }
  const rateLimit = positiveInteger(
    'throttle.rateLimit',
    props.throttle?.rateLimit ?? DEFAULTS.rateLimit,
  );
  const burstLimit = positiveInteger(
    'throttle.burstLimit',
    props.throttle?.burstLimit ?? DEFAULTS.burstLimit,
  );
  return {
    stageName,
    gracePeriodDays,
    allowedOrigins: validateAllowedOrigins(props.allowedOrigins),
    logRetention,
    maxUploadBytes: positiveInteger(
      'maxUploadBytes',
      props.maxUploadBytes ?? DEFAULTS.maxUploadBytes,
    ),
    rateLimitPerMinute: wholeNumber(
      'rateLimitPerMinute',
      props.rateLimitPerMinute ?? DEFAULTS.rateLimitPerMinute,
    ),
    keepLocation: booleanProp('keepLocation', props.keepLocation ?? false),
    logLevel,
    throttle: { rateLimit, burstLimit },
    processingConcurrency:
      props.processingConcurrency === undefined
        ? undefined
        : positiveInteger('processingConcurrency', props.processingConcurrency, 1000, 2),
    processingMemoryMb: positiveInteger(
      'processingMemoryMb',
      props.processingMemoryMb ?? PROCESSING_MEMORY_MB,
      10_240,
      128,
    ),
    indexShards: positiveInteger('indexShards', props.indexShards ?? DEFAULTS.indexShards, 256),
    indexProjection: oneOf(
      'indexProjection',
      props.indexProjection ?? DEFAULT_INDEX_PROJECTION,
      INDEX_PROJECTIONS,
    ),
    alarms: resolveAlarms(stageName, props.alarms ?? {}),
    cdn: resolveCdn(props.cdn),
  };
}

function resolveCdn(cdn: CdnProps | undefined): CdnProps | undefined {
  if (cdn === undefined) return undefined;
  if (cdn.domainName !== undefined && !isValidHost(cdn.domainName)) {
    throw new MediaServicePropsError(
      'cdn.domainName',
      `must be a host name, got ${show(cdn.domainName)}`,
    );
  }
  if (cdn.domainName && !cdn.certificateArn) {
    throw new MediaServicePropsError(
      'cdn.certificateArn',
      'is required with cdn.domainName: an ACM certificate in us-east-1 covering the domain',
    );
  }
  if (
    cdn.certificateArn &&
    !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/.+$/.test(cdn.certificateArn)
  ) {
    throw new MediaServicePropsError(
      'cdn.certificateArn',
      `must be an ACM certificate ARN in us-east-1 (CloudFront's region), got ${show(cdn.certificateArn)}`,
    );
  }
  if (
    cdn.signingPublicKeyPem !== undefined &&
    !cdn.signingPublicKeyPem.includes('BEGIN PUBLIC KEY')
  ) {
    throw new MediaServicePropsError('cdn.signingPublicKeyPem', 'must be a PEM public key');
  }
  return cdn;
}

const PERCENT_THRESHOLDS = new Set<string>([
  'apiServerErrorRatePercent',
  'functionErrorRatePercent',
  'functionThrottleRatePercent',
]);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function resolveAlarms(
  stageName: StageName,
  props: AlarmProps,
): ResolvedMediaServiceProps['alarms'] {
  const thresholds = { ...ALARM_THRESHOLD_DEFAULTS } as AlarmThresholds;
  for (const key of Object.keys(ALARM_THRESHOLD_DEFAULTS) as Array<keyof AlarmThresholds>) {
    const value = props[key] ?? ALARM_THRESHOLD_DEFAULTS[key];
    const prop = `alarms.${key}`;
    if (PERCENT_THRESHOLDS.has(key)) {
      if (typeof value !== 'number' || !(value > 0 && value <= 100)) {
        throw new MediaServicePropsError(prop, `must be a number in (0, 100], got ${show(value)}`);
      }
      thresholds[key] = value;
    } else {
      thresholds[key] = positiveInteger(prop, value);
    }
  }
  const enabled = props.enabled ?? true;
  const { topic, email } = props;
  const actions = props.actions ?? [];
  if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email))) {
    throw new MediaServicePropsError(
      'alarms.email',
      `must be an email address, got ${show(email)}`,
    );
  }
  if (email !== undefined && topic) {
    throw new MediaServicePropsError(
      'alarms.email',
      'is subscribed to the topic the construct creates; with alarms.topic, subscribe it there',
    );
  }
  if (stageName === 'prod' && !(enabled && (topic || email || actions.length > 0))) {
    throw new MediaServicePropsError(
      'alarms',
      'need a destination in prod: alarms that notify nobody page nobody. Pass alarms.topic ' +
        '(-c alarmTopicArn=arn:aws:sns:…), alarms.email (-c alarmEmail=oncall@example.com) or ' +
        'alarms.actions; alarms cannot be disabled in prod.',
    );
  }
  return { enabled, topic, email, actions, thresholds };
}

function booleanProp(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new MediaServicePropsError(name, `must be true or false, got ${show(value)}`);
  }
  return value;
}
