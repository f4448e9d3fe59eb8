/**
 * The storage modes (README "Storage"), apart from `lib/config.ts` so that entry points can
 * parse `MEDIA_STORAGE_MODE` before the configuration is loaded (it is read once, at import).
 *
 * `aws`: a versioned bucket with Object Lock (AWS S3, a Ceph gateway); the storage enforces
 * holds and lifecycle purges. `portable`: any S3-compatible store without versioning or Object
 * Lock (R2, MinIO without locking, the local server); trash prefix + hold markers, the service
 * enforces holds and its purge sweep purges. See README "Storage".
 */
export const STORAGE_MODES = ['aws', 'portable'] as const;
export type StorageMode = (typeof STORAGE_MODES)[number];

/** Older name of `portable`, still accepted: it was first the local stack's mode. */
const STORAGE_MODE_ALIASES: Record<string, StorageMode> = { local: 'portable' };

export function parseStorageMode(raw: string | undefined): StorageMode | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const name = raw.trim().toLowerCase();
  const mode = STORAGE_MODE_ALIASES[name] ?? name;
  if (!(STORAGE_MODES as readonly string[]).includes(mode)) {
    throw new Error(`MEDIA_STORAGE_MODE must be one of ${STORAGE_MODES.join(', ')}, got "${raw}"`);
  }
  return mode as StorageMode;
}
