/**
 * One lifecycle definition for the deployed bucket (CDK) and the buckets the service creates
 * itself: the conversion keeps every field, and refuses one it does not know rather than
 * deploy a rule without it. (The synthesized rules: test/infra/media-service.test.ts; the
 * rules on a real gateway: test/gateway/storage-guarantees.test.ts.)
 */
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { toCdkLifecycleRule } from '../../../infra/lifecycle-rules.ts';
import { gracePeriodDaysOf, mediaLifecycleRules } from '../../../lib/storage/lifecycle-rules.ts';

describe('media lifecycle rules', () => {
  it('purge deleted uploads and thumbnails after the grace period, never current versions', () => {
    const rules = mediaLifecycleRules(9);
    const purge = rules.filter((rule) => rule.NoncurrentVersionExpiration?.NoncurrentDays === 9);
    expect(purge.map((rule) => rule.Filter?.Prefix)).toEqual(['uploads/', 'thumbnails/']);
    for (const rule of rules.filter((r) => r.Filter?.Prefix !== 'staging/')) {
      expect(rule.Expiration?.Days).toBeUndefined();
    }
  });

  it('convert to CDK rules field by field', () => {
    const staging = mediaLifecycleRules(9).find((rule) => rule.ID === 'ExpireStaging');
    expect(toCdkLifecycleRule(staging as never)).toEqual({
      id: 'ExpireStaging',
      enabled: true,
      prefix: 'staging/',
      expiration: Duration.days(1),
      expiredObjectDeleteMarker: undefined,
      noncurrentVersionExpiration: Duration.days(1),
      abortIncompleteMultipartUploadAfter: undefined,
    });
  });

  it('refuse a field the conversion does not know', () => {
    expect(() =>
      toCdkLifecycleRule({ ID: 'x', Status: 'Enabled', Transitions: [{ Days: 1 }] }),
    ).toThrow(/lifecycle rule x: cannot convert Transitions/);
    expect(() =>
      toCdkLifecycleRule({ ID: 'y', Status: 'Enabled', Filter: { Tag: { Key: 'a', Value: 'b' } } }),
    ).toThrow(/cannot convert Tag/);
  });

  it('grace periods round up to whole days, at least one', () => {
    expect(gracePeriodDaysOf(1)).toBe(1);
    expect(gracePeriodDaysOf(86_400)).toBe(1);
    expect(gracePeriodDaysOf(86_401)).toBe(2);
  });
});
