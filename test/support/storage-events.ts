/** Storage events as the processing function receives them, for tests. */
import { randomUUID } from 'node:crypto';

/**
 * S3's "Object Created" event for `key` in `bucket`, as S3 puts it on the default bus and the
 * processing rule forwards it; `overrides` replace top-level fields.
 */
export const objectCreatedEvent = (
  bucket: string,
  key: string,
  overrides: Record<string, unknown> = {},
) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '123456789012',
  time: new Date().toISOString(),
  region: 'eu-west-1',
  resources: [`arn:aws:s3:::${bucket}`],
  detail: {
    version: '0',
    bucket: { name: bucket },
    object: { key, size: 469, etag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0066A1' },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '123456789012',
    reason: 'PutObject',
  },
  ...overrides,
});
