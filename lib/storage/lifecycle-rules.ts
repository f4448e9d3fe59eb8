/**
 * The lifecycle of the media bucket in aws mode, defined once: the CDK construct deploys these
 * rules (infra/lifecycle-rules.ts converts them) and `ensureMediaBucket` puts the same ones on a
 * bucket it creates (a Ceph gateway in the tests, an external store under `npm start`).
 *
 * Deleting an attachment adds a delete marker; the bytes become a noncurrent version that
 * expires `gracePeriodDays` after the deletion (counted from deletion, not creation). Lifecycle
 * never removes a version under legal hold. Restore removes the delete marker within the grace
 * period. In portable mode none of this exists: the purge sweep does the job.
 */
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { STORAGE_PREFIXES } from './prefixes.ts';

export function mediaLifecycleRules(gracePeriodDays: number): LifecycleRule[] {
  return [
    {
      ID: 'AbortIncompleteMultipartUploads',
      Status: 'Enabled',
      Filter: {},
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    },
    {
      ID: 'PurgeDeletedUploads',
      Status: 'Enabled',
      Filter: { Prefix: STORAGE_PREFIXES.uploads },
      NoncurrentVersionExpiration: { NoncurrentDays: gracePeriodDays },
    },
    {
      ID: 'PurgeDeletedThumbnails',
      Status: 'Enabled',
      Filter: { Prefix: STORAGE_PREFIXES.thumbnails },
      NoncurrentVersionExpiration: { NoncurrentDays: gracePeriodDays },
    },
    {
      // Completing a session stores its bytes under uploads/ and removes the staged object;
      // what is left (unfinished sessions, a failed removal) goes after a day.
      ID: 'ExpireStaging',
      Status: 'Enabled',
      Filter: { Prefix: STORAGE_PREFIXES.staging },
      Expiration: { Days: 1 },
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    },
    {
      // Delete markers whose versions are all gone (purged) are clutter: remove them.
      ID: 'RemoveExpiredDeleteMarkers',
      Status: 'Enabled',
      Filter: {},
      Expiration: { ExpiredObjectDeleteMarker: true },
    },
  ];
}

/** Grace period in whole lifecycle days (lifecycle counts days; never less than one). */
export const gracePeriodDaysOf = (gracePeriodSeconds: number): number =>
  Math.max(1, Math.ceil(gracePeriodSeconds / 86_400));
