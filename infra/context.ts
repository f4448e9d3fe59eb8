/**
 * Reads the stack settings from CDK context (`cdk.json` or `-c key=value`), so operators
 * configure a deployment without editing code:
 *
 *   npx cdk deploy -c stage=prod -c gracePeriodDays=7 \
 *     -c allowedOrigins=https://app.example.com,https://admin.example.com -c logRetentionDays=90
 *
 * Values from `-c` arrive as strings, values from cdk.json as JSON; both are accepted. Values are
 * only parsed here; `MediaService` validates them (and rejects bad ones with a clear message).
 */
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import type { MediaServiceProps, StageName } from './media-service-props.ts';
import type { MediaServiceStackProps } from './media-service-stack.ts';

export const DEFAULT_STAGE: StageName = 'dev';

/** Log retention by stage when `logRetentionDays` is not given. */
export const DEFAULT_LOG_RETENTION_DAYS: Record<string, number> = {
  dev: 14,
  staging: 30,
  prod: 90,
};

export class ContextError extends Error {
  override readonly name = 'ContextError';
}

function number(key: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(value)) {
    throw new ContextError(`context "${key}" must be a number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * `true`/`false` as cdk.json (JSON booleans) or `-c key=true` (strings) deliver them; anything
 * else (`yes`, `1`, `TRUE`) stops synthesis rather than silently meaning false.
 */
function boolean(key: string, raw: unknown): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new ContextError(`context "${key}" must be true or false, got ${JSON.stringify(raw)}`);
}

function stringList(key: string, raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'string') {
    const trimmed = raw.trim();
    if (trimmed === '') return [];
    // `-c allowedOrigins='["https://a.example"]'` and `-c allowedOrigins=https://a,https://b`.
    if (trimmed.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (Array.isArray(parsed)) return parsed.map(String);
      } catch {
        // fall through to the error below
      }
      throw new ContextError(`context "${key}" is not a valid JSON array: ${raw}`);
    }
    return trimmed.split(',').map((part) => part.trim());
  }
  throw new ContextError(`context "${key}" must be a list of strings, got ${JSON.stringify(raw)}`);
}

/** The `MediaService` props a stack gets from context, with the documented defaults. */
export function mediaServicePropsFromContext(node: Node): MediaServiceProps {
  const stageName = String(node.tryGetContext('stage') ?? DEFAULT_STAGE) as StageName;
  const logRetentionDays =
    number('logRetentionDays', node.tryGetContext('logRetentionDays')) ??
    DEFAULT_LOG_RETENTION_DAYS[stageName];
  const props: MediaServiceProps = {
    stageName,
    gracePeriodDays: number('gracePeriodDays', node.tryGetContext('gracePeriodDays')),
    allowedOrigins: stringList('allowedOrigins', node.tryGetContext('allowedOrigins')),
    logRetention: logRetentionDays as RetentionDays | undefined,
    maxUploadBytes: number('maxUploadBytes', node.tryGetContext('maxUploadBytes')),
    rateLimitPerMinute: number('rateLimitPerMinute', node.tryGetContext('rateLimitPerMinute')),
    keepLocation: boolean('keepLocation', node.tryGetContext('keepLocation')),
    processingConcurrency: number(
      'processingConcurrency',
      node.tryGetContext('processingConcurrency'),
    ),
    processingMemoryMb: number('processingMemoryMb', node.tryGetContext('processingMemoryMb')),
    indexShards: number('indexShards', node.tryGetContext('indexShards')),
    // Checked by the construct (`all` or `lean`).
    indexProjection: node.tryGetContext('indexProjection') as MediaServiceProps['indexProjection'],
  };
  const breakGlassRoleArn = node.tryGetContext('breakGlassRoleArn') as unknown;
  if (breakGlassRoleArn !== undefined) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(String(breakGlassRoleArn))) {
      throw new ContextError(
        `context "breakGlassRoleArn" must be an IAM role ARN, got ${JSON.stringify(breakGlassRoleArn)}`,
      );
    }
    props.bucketProtection = { breakGlassRoleArn: String(breakGlassRoleArn) };
  }
  const rateLimit = number('throttleRateLimit', node.tryGetContext('throttleRateLimit'));
  const burstLimit = number('throttleBurstLimit', node.tryGetContext('throttleBurstLimit'));
  if (rateLimit !== undefined || burstLimit !== undefined)
    props.throttle = { rateLimit, burstLimit };
  return props;
}

/** Stack props from context: the service settings plus `alarmTopicArn` and `alarmEmail`. */
export function stackPropsFromContext(node: Node): MediaServiceStackProps {
  const alarmTopicArn = node.tryGetContext('alarmTopicArn') as unknown;
  if (
    alarmTopicArn !== undefined &&
    !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(String(alarmTopicArn))
  ) {
    throw new ContextError(
      `context "alarmTopicArn" must be an SNS topic ARN, got ${JSON.stringify(alarmTopicArn)}`,
    );
  }
  const service = mediaServicePropsFromContext(node);
  const alarmEmail = node.tryGetContext('alarmEmail') as unknown;
  // The construct validates the address (and refuses it next to a topic).
  if (alarmEmail !== undefined) service.alarms = { email: String(alarmEmail) };
  return {
    service,
    ...(alarmTopicArn ? { alarmTopicArn: String(alarmTopicArn) } : {}),
  };
}
