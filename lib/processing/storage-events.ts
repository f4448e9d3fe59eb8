/**
 * "Object created" events of the media bucket, in both shapes S3 delivers them: through
 * EventBridge (`detail-type: "Object Created"`, the deployed trigger) and as an S3 event
 * notification (`Records[]`, what the local S3 server emits). Deployed, the EventBridge rule
 * buffers them in an SQS queue, so each reaches processing as the JSON body of a queue message
 * (`createdMediaObjectsInMessage`); `npm start` wraps its notifications the same way. Only
 * stored files trigger processing: keys under `uploads/`. Thumbnails, staging, trash and hold markers do not,
 * which also keeps the processing from triggering itself.
 */
import * as z from '../zod.ts';

/** The one prefix whose new objects are processed (the EventBridge rule matches the same). */
export const PROCESSED_PREFIX = 'uploads/';

export interface CreatedObject {
  bucket: string;
  key: string;
  /** When S3 reported the object created, epoch ms. */
  createdAt: number;
}

const eventBridgeEvent = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  time: z.string(),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string() }),
  }),
});

const notificationEvent = z.object({
  Records: z.array(
    z.object({
      eventSource: z.literal('aws:s3'),
      eventName: z.string(),
      eventTime: z.string(),
      s3: z.object({
        bucket: z.object({ name: z.string() }),
        object: z.object({ key: z.string() }),
      }),
    }),
  ),
});

/** Notification keys are URL-encoded with `+` for spaces; EventBridge keys are not encoded. */
function notificationKey(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function timeOf(iso: string): number {
  const time = Date.parse(iso);
  return Number.isFinite(time) ? time : Date.now();
}

/**
 * The stored files of `bucket` that an event reports created; empty for anything else
 * (other buckets, other prefixes, removals, events of other shapes).
 */
export function createdMediaObjects(event: unknown, bucket: string): CreatedObject[] {
  const found: CreatedObject[] = [];
  const fromBridge = z.safeParse(eventBridgeEvent, event);
  if (fromBridge.success) {
    const { detail, time } = fromBridge.data;
    found.push({ bucket: detail.bucket.name, key: detail.object.key, createdAt: timeOf(time) });
  }
  const fromNotification = z.safeParse(notificationEvent, event);
  if (fromNotification.success) {
    for (const record of fromNotification.data.Records) {
      const key = notificationKey(record.s3.object.key);
      if (!record.eventName.startsWith('ObjectCreated:') || key === null) continue;
      found.push({ bucket: record.s3.bucket.name, key, createdAt: timeOf(record.eventTime) });
    }
  }
  return found.filter(
    (object) => object.bucket === bucket && object.key.startsWith(PROCESSED_PREFIX),
  );
}

/**
 * The stored files a queue message reports created: its body is one storage event as JSON.
 * Empty when the body is not JSON or not such an event (nothing to process, nothing to retry).
 */
export function createdMediaObjectsInMessage(body: string, bucket: string): CreatedObject[] {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return [];
  }
  return createdMediaObjects(event, bucket);
}
