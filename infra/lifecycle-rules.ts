/**
 * The media bucket's lifecycle rules as CDK wants them, converted from the one definition in
 * `lib/storage/lifecycle-rules.ts` (which also configures buckets the service creates itself),
 * so what is deployed and what the tests run against the gateway cannot drift apart. A field
 * the conversion does not know fails the synth instead of being dropped.
 */

import type { LifecycleRule as S3LifecycleRule } from '@aws-sdk/client-s3';
import { Duration } from 'aws-cdk-lib';
import type { LifecycleRule } from 'aws-cdk-lib/aws-s3';
import { mediaLifecycleRules } from '../lib/storage/lifecycle-rules.ts';

const KNOWN = new Set([
  'ID',
  'Status',
  'Filter',
  'Expiration',
  'NoncurrentVersionExpiration',
  'AbortIncompleteMultipartUpload',
]);

export function toCdkLifecycleRule(rule: S3LifecycleRule): LifecycleRule {
  const unknown = Object.keys(rule).filter((field) => !KNOWN.has(field));
  const filterFields = Object.keys(rule.Filter ?? {}).filter((field) => field !== 'Prefix');
  if (unknown.length > 0 || filterFields.length > 0) {
    throw new Error(
      `lifecycle rule ${rule.ID}: cannot convert ${[...unknown, ...filterFields].join(', ')}`,
    );
  }
  const days = (n: number | undefined) => (n === undefined ? undefined : Duration.days(n));
  return {
    id: rule.ID,
    enabled: rule.Status === 'Enabled',
    prefix: rule.Filter?.Prefix,
    expiration: days(rule.Expiration?.Days),
    expiredObjectDeleteMarker: rule.Expiration?.ExpiredObjectDeleteMarker,
    noncurrentVersionExpiration: days(rule.NoncurrentVersionExpiration?.NoncurrentDays),
    abortIncompleteMultipartUploadAfter: days(
      rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
    ),
  };
}

export const mediaBucketLifecycleRules = (gracePeriodDays: number): LifecycleRule[] =>
  mediaLifecycleRules(gracePeriodDays).map(toCdkLifecycleRule);
