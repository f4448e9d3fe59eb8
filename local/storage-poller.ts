/**
 * Storage events for `npm start` against an external S3-compatible store (`S3_ENDPOINT`): such
 * a store cannot call back into this process the way the embedded S3 server does, so new
 * objects under `uploads/` are found by listing the prefix every `intervalMs` and handed on as
 * S3 event notifications (the shape the embedded server emits) to the same dispatcher.
 *
 * Objects stored before the start are not reported (the first listing only learns the keys):
 * keys are never reused, so "not seen before" means "created since". A listing that fails is
 * reported on stderr once per failure streak and retried at the next tick.
 *
 * Deployed, the bucket's own notifications do this job (S3 → EventBridge); on R2 an event
 * notification to a Queue and a consumer would (see README "Storage").
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { PROCESSED_PREFIX } from '../lib/processing/storage-events.ts';

export interface StoragePoller {
  /** Stops polling; resolves once a listing in progress has finished. */
  stop(): Promise<void>;
}

export interface StoragePollerOptions {
  s3: S3Client;
  bucketName: string;
  onNotification: (notification: unknown) => void;
  /** Default 1 s: a thumbnail appears about that much later than with a push. */
  intervalMs?: number;
  prefix?: string;
}

export async function startStoragePoller(options: StoragePollerOptions): Promise<StoragePoller> {
  const prefix = options.prefix ?? PROCESSED_PREFIX;
  const seen = new Set<string>();
  let failing = false;

  const listNew = async (): Promise<{ key: string; size: number; modified: Date }[]> => {
    const fresh: { key: string; size: number; modified: Date }[] = [];
    let token: string | undefined;
    do {
      const page = await options.s3.send(
        new ListObjectsV2Command({
          Bucket: options.bucketName,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key || seen.has(object.Key)) continue;
        seen.add(object.Key);
        fresh.push({
          key: object.Key,
          size: object.Size ?? 0,
          modified: object.LastModified ?? new Date(),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return fresh;
  };

  const notification = (object: { key: string; size: number; modified: Date }) => ({
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        eventTime: object.modified.toISOString(),
        s3: {
          bucket: { name: options.bucketName },
          object: { key: object.key, size: object.size },
        },
      },
    ],
  });

  // Learn what is there before the API takes requests: nothing new can be missed.
  await listNew();

  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = listNew()
      .then((fresh) => {
        failing = false;
        for (const object of fresh) options.onNotification(notification(object));
      })
      .catch((error: unknown) => {
        if (!failing) {
          process.stderr.write(`storage poll failed: ${(error as Error).message}\n`);
        }
        failing = true;
      })
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalMs ?? 1_000);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
