/**
 * `GET /api/v1/media/limits`: the limits a client should know before it uploads or lists,
 * from the same tables and settings that enforce them.
 */
import { MEDIA_TYPES } from '../../media/media-types.ts';
import { FILE_TYPES } from '../../media/types.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../read/page-size.ts';
import type { Limits } from '../responses.ts';

/**
 * A synchronous Lambda invocation carries at most 6 MB (6,291,456 bytes) of request, event
 * included: what is left after 64 KiB for headers, the event and the other JSON fields holds
 * base64 of 3/4 as many bytes. Above that, deployed clients use upload sessions.
 */
const LAMBDA_REQUEST_BYTES = 6_291_456;
const EVENT_OVERHEAD_BYTES = 65_536;
export const DEPLOYED_JSON_UPLOAD_BYTES = Math.floor(
  ((LAMBDA_REQUEST_BYTES - EVENT_OVERHEAD_BYTES) / 4) * 3,
);

export interface LimitSettings {
  maxUploadBytes: number;
  /** Per API key; 0 or absent: no rate limit. */
  rateLimitPerMinute?: number;
}

export function mediaLimits(settings: LimitSettings): Limits {
  const requestsPerMinute = settings.rateLimitPerMinute ?? 0;
  return {
    maxUploadBytes: settings.maxUploadBytes,
    maxJsonUploadBytes: Math.min(settings.maxUploadBytes, DEPLOYED_JSON_UPLOAD_BYTES),
    fileTypes: Object.fromEntries(
      FILE_TYPES.map((fileType) => [
        fileType,
        MEDIA_TYPES.filter((type) => type.fileType === fileType).map((t) => t.canonicalMimeType),
      ]),
    ) as Limits['fileTypes'],
    pageSize: { default: DEFAULT_PAGE_SIZE, min: 1, max: MAX_PAGE_SIZE },
    rateLimit: { enabled: requestsPerMinute > 0, requestsPerMinute },
  };
}
