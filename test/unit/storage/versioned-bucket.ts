/**
 * A versioned S3 bucket with Object Lock, simulated behind aws-sdk-client-mock: enough of S3's
 * documented behaviour for the store's calls (PUT/GET/HEAD, DeleteObject with and without a
 * version id, ListObjectVersions, ListObjectsV2, object legal holds) and of lifecycle
 * (`NoncurrentVersionExpiration`, `ExpiredObjectDeleteMarker`). It enforces what Object Lock
 * enforces: a version under legal hold cannot be deleted, and lifecycle never expires it.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';

interface Entry {
  versionId: string;
  marker: boolean;
  body?: Uint8Array;
  contentType?: string;
  hold?: 'ON' | 'OFF';
  lastModified: Date;
}

function s3Error(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function toBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return new TextEncoder().encode(body);
  throw new Error('the fake bucket takes Uint8Array or string bodies');
}

export class VersionedBucket {
  /** Entries per key, oldest first (the last one is the current version or marker). */
  readonly objects = new Map<string, Entry[]>();
  private nextVersion = 1;

  constructor(readonly name: string) {}

  /** Wires the fake into a mocked S3 client. */
  install(mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>): void {
    const bucket = (input: { Bucket?: string }) => {
      if (input.Bucket !== this.name) throw s3Error('NoSuchBucket', 404);
    };
    mock.on(PutObjectCommand).callsFake((input) => {
      bucket(input);
      const entry = this.newEntry(false);
      entry.body = toBytes(input.Body);
      entry.contentType = input.ContentType;
      this.entries(input.Key).push(entry);
      return { VersionId: entry.versionId };
    });
    mock.on(GetObjectCommand).callsFake((input) => {
      bucket(input);
      const current = this.current(input.Key);
      if (!current) throw s3Error('NoSuchKey', 404);
      const body = current.body as Uint8Array;
      return {
        Body: { transformToByteArray: async () => body },
        ContentType: current.contentType,
        VersionId: current.versionId,
      };
    });
    mock.on(HeadObjectCommand).callsFake((input) => {
      bucket(input);
      const current = this.current(input.Key);
      if (!current) throw s3Error('NotFound', 404);
      return { ContentType: current.contentType, VersionId: current.versionId };
    });
    mock.on(DeleteObjectCommand).callsFake((input) => {
      bucket(input);
      const entries = this.entries(input.Key);
      if (input.VersionId === undefined) {
        const marker = this.newEntry(true);
        entries.push(marker);
        return { DeleteMarker: true, VersionId: marker.versionId };
      }
      const index = entries.findIndex((e) => e.versionId === input.VersionId);
      if (index < 0) return {};
      if (entries[index]?.hold === 'ON') throw s3Error('AccessDenied', 403, 'legal hold');
      entries.splice(index, 1);
      return { VersionId: input.VersionId };
    });
    mock.on(ListObjectVersionsCommand).callsFake((input) => {
      bucket(input);
      type Listed = { Key: string; VersionId: string; IsLatest: boolean; LastModified: Date };
      const Versions: Listed[] = [];
      const DeleteMarkers: Listed[] = [];
      for (const [key, entries] of this.sortedUnder(input.Prefix ?? '')) {
        entries.forEach((entry, i) => {
          const listed = {
            Key: key,
            VersionId: entry.versionId,
            IsLatest: i === entries.length - 1,
            LastModified: entry.lastModified,
          };
          (entry.marker ? DeleteMarkers : Versions).push(listed);
        });
      }
      return { Versions, DeleteMarkers, IsTruncated: false };
    });
    mock.on(ListObjectsV2Command).callsFake((input) => {
      bucket(input);
      const Contents: Array<{ Key: string; LastModified: Date }> = [];
      for (const [key] of this.sortedUnder(input.Prefix ?? '')) {
        const current = this.current(key);
        if (current) Contents.push({ Key: key, LastModified: current.lastModified });
      }
      return { Contents, IsTruncated: false };
    });
    mock.on(PutObjectLegalHoldCommand).callsFake((input) => {
      bucket(input);
      const entry = this.version(input.Key, input.VersionId);
      entry.hold = input.LegalHold?.Status as 'ON' | 'OFF';
      return {};
    });
    mock.on(GetObjectLegalHoldCommand).callsFake((input) => {
      bucket(input);
      const entry = this.version(input.Key, input.VersionId);
      if (!entry.hold) throw s3Error('NoSuchObjectLockConfiguration', 404);
      return { LegalHold: { Status: entry.hold } };
    });
  }

  /**
   * What the lifecycle rules do once the grace period is over: noncurrent versions expire
   * unless held; delete markers with no version left behind them are removed.
   */
  runLifecycle(): void {
    for (const [key, entries] of this.objects) {
      const kept = entries.filter(
        (entry, i) => i === entries.length - 1 || entry.marker || entry.hold === 'ON',
      );
      const onlyMarkers = kept.every((e) => e.marker);
      this.objects.set(key, onlyMarkers ? [] : kept);
    }
  }

  private newEntry(marker: boolean): Entry {
    return { versionId: `v${this.nextVersion++}`, marker, lastModified: new Date() };
  }

  private entries(key: string | undefined): Entry[] {
    if (!key) throw s3Error('InvalidArgument', 400, 'no key');
    let entries = this.objects.get(key);
    if (!entries) {
      entries = [];
      this.objects.set(key, entries);
    }
    return entries;
  }

  private current(key: string | undefined): Entry | undefined {
    const last = this.entries(key).at(-1);
    return last && !last.marker ? last : undefined;
  }

  private version(key: string | undefined, versionId: string | undefined): Entry {
    const entry = this.entries(key).find((e) => !e.marker && e.versionId === versionId);
    if (!entry) throw s3Error('NoSuchVersion', 404);
    return entry;
  }

  private sortedUnder(prefix: string): Array<[string, Entry[]]> {
    return [...this.objects]
      .filter(([key, entries]) => key.startsWith(prefix) && entries.length > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1));
  }
}
