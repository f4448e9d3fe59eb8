/**
 * The store a Lambda, the local server or the CLI uses, from the process configuration. Kept
 * apart from `media-store.ts` (the interface), so the implementations can import the interface
 * without an import cycle.
 */
import { type ServiceConfig, storageModeOf } from '../config.ts';
import type { MediaStore } from './media-store.ts';
import { PortableMediaStore } from './portable-media-store.ts';
import { createS3Client } from './s3-client.ts';
import { S3MediaStore } from './s3-media-store.ts';

export function mediaStoreFrom(config: ServiceConfig): MediaStore {
  const s3 = createS3Client(config);
  return storageModeOf(config) === 'aws'
    ? new S3MediaStore(s3, config.bucketName)
    : new PortableMediaStore(s3, config.bucketName);
}
