/** Both shapes of "object created" events, and everything that must not trigger processing. */
import { describe, expect, it } from 'vitest';
import { createdMediaObjects } from '../../../lib/processing/storage-events.ts';
import { objectCreatedEvent } from '../../support/storage-events.ts';

const BUCKET = 'media-bucket';
const KEY = 'uploads/2026/04/01/abc123.png';

const eventBridge = (key: string, overrides: Record<string, unknown> = {}) =>
  objectCreatedEvent(BUCKET, key, { time: '2026-04-01T12:00:00Z', ...overrides });

const notification = (key: string, eventName = 'ObjectCreated:Put', bucket = BUCKET) => ({
  Records: [
    {
      eventVersion: '2.0',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2026-04-01T12:00:00.000Z',
      eventName,
      s3: { s3SchemaVersion: '1.0', bucket: { name: bucket }, object: { key, size: 469 } },
    },
  ],
});

const created = { bucket: BUCKET, key: KEY, createdAt: Date.parse('2026-04-01T12:00:00Z') };

describe('createdMediaObjects', () => {
  it('reads the EventBridge shape (the deployed trigger)', () => {
    expect(createdMediaObjects(eventBridge(KEY), BUCKET)).toEqual([created]);
  });

  it('reads the S3 notification shape (the local S3 server), several records', () => {
    const event = notification(KEY);
    event.Records.push(...notification(KEY.replace('abc123', 'def456')).Records);
    expect(createdMediaObjects(event, BUCKET).map((o) => o.key)).toEqual([
      KEY,
      KEY.replace('abc123', 'def456'),
    ]);
    expect(createdMediaObjects(notification(KEY, 'ObjectCreated:Copy'), BUCKET)).toEqual([created]);
  });

  it('decodes notification keys (URL-encoded, + for space), not EventBridge keys', () => {
    expect(createdMediaObjects(notification('uploads/a%2Bb+c.png'), BUCKET)[0]?.key).toBe(
      'uploads/a+b c.png',
    );
    expect(createdMediaObjects(eventBridge('uploads/a+b.png'), BUCKET)[0]?.key).toBe(
      'uploads/a+b.png',
    );
  });

  it.each([
    ['a thumbnail (processing must not trigger itself)', notification('thumbnails/x/y-1.webp')],
    ['a staged upload', notification('staging/upl_abc')],
    ['a soft-deleted file (local trash)', notification(`trash/${KEY}`)],
    ['a removal', notification(KEY, 'ObjectRemoved:Delete')],
    ['another bucket', notification(KEY, 'ObjectCreated:Put', 'other-bucket')],
    ['an EventBridge event of another type', eventBridge(KEY, { 'detail-type': 'Object Deleted' })],
    ['junk', { hello: 'world' }],
    ['null', null],
    ['a malformed key', notification('uploads/%E0%A4%A.png')],
  ])('ignores %s', (_name, event) => {
    expect(createdMediaObjects(event, BUCKET)).toEqual([]);
  });
});
