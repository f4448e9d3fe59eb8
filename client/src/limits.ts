/**
 * The API's limits (`GET /api/v1/media/limits`), with the client's defaults for an API that
 * does not have that endpoint (it answers 404): the contract's 50 MB per file, and JSON uploads
 * only up to 4 MiB, because a deployed API takes JSON bodies of at most ~6 MB (Lambda's
 * payload limit) and base64 makes a file a third larger.
 */
import { MediaApiError } from './errors.ts';
import type { Transport } from './transport.ts';

export interface MediaLimits {
  /** The largest file, in bytes. */
  maxUploadBytes: number;
  /** The largest file sent as base64 JSON; larger ones go through an upload session. */
  maxJsonUploadBytes: number;
  /** Accepted MIME types by file type (`image`, `audio`, …), when the API says. */
  fileTypes?: Record<string, string[]>;
  pageSize?: { default: number; max: number };
  rateLimit?: { requestsPerMinute: number };
  /** `api` when the API answered, `defaults` when it has no limits endpoint. */
  source: 'api' | 'defaults';
  [extra: string]: unknown;
}

export const DEFAULT_LIMITS: MediaLimits = {
  maxUploadBytes: 52_428_800,
  maxJsonUploadBytes: 4 * 1024 * 1024,
  source: 'defaults',
};

export async function fetchLimits(
  transport: Transport,
  signal?: AbortSignal,
): Promise<MediaLimits> {
  try {
    const { data } = await transport.api<Partial<MediaLimits>>({
      method: 'GET',
      path: '/api/v1/media/limits',
      signal,
    });
    return { ...DEFAULT_LIMITS, ...data, source: 'api' };
  } catch (error) {
    if (error instanceof MediaApiError && error.status === 404) return { ...DEFAULT_LIMITS };
    throw error;
  }
}
