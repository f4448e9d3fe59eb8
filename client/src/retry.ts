/**
 * Retries of transient failures, with exponential backoff and full jitter, honouring the
 * server's `Retry-After`.
 *
 * What is retried depends on whether the request may be sent twice ("replay-safe"): GET, PUT,
 * and POSTs that carry an `Idempotency-Key` (or are idempotent by design, like completing an
 * upload session) are; DELETE is not (a second DELETE of a deleted attachment answers 404).
 * - 429 and 503 are retried for every request: the server did not act on it.
 * - 408, 500, 502, 504 and network failures are retried only for replay-safe requests: the
 *   server may have acted before the failure.
 * - Nothing is retried once the caller's signal has aborted.
 */

export interface RetryPolicy {
  /** Retries after the first attempt (0: never retry). */
  retries: number;
  /** First backoff delay; doubles with each retry, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is returned instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
};

export interface RetryEvent {
  /** The retry about to be made (1 for the first retry). */
  retry: number;
  delayMs: number;
  method: string;
  url: string;
  /** The status that is retried, or the network error. */
  status?: number;
  error?: unknown;
}

const ALWAYS_RETRIED = new Set([429, 503]);
const RETRIED_WHEN_REPLAY_SAFE = new Set([408, 500, 502, 504]);

export function isRetriedStatus(status: number, replaySafe: boolean): boolean {
  return ALWAYS_RETRIED.has(status) || (replaySafe && RETRIED_WHEN_REPLAY_SAFE.has(status));
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent/invalid. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full jitter: a random delay between half and all of the capped exponential delay. */
export function backoffDelay(policy: RetryPolicy, retry: number, random = Math.random): number {
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(capped / 2 + random() * (capped / 2));
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface SendOptions {
  method: string;
  url: string;
  replaySafe: boolean;
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/**
 * Calls `attempt` until it answers with a status that is not retried, retries are used up, or
 * a `Retry-After` is too long; returns that last response (ok or not) or throws the last
 * network error. `attempt` builds a fresh request each time (a streamed body is read once).
 */
export async function sendWithRetries(
  attempt: () => Promise<Response>,
  options: SendOptions,
): Promise<Response> {
  for (let retry = 1; ; retry += 1) {
    const last = retry > options.policy.retries;
    let response: Response;
    try {
      response = await attempt();
    } catch (error) {
      if (last || !options.replaySafe || options.signal?.aborted || isAbortError(error)) {
        throw error;
      }
      const delayMs = backoffDelay(options.policy, retry);
      options.onRetry?.({ retry, delayMs, method: options.method, url: options.url, error });
      await sleep(delayMs, options.signal);
      continue;
    }
    if (last || !isRetriedStatus(response.status, options.replaySafe)) return response;
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    if (retryAfter !== undefined && retryAfter > options.policy.maxRetryAfterMs) return response;
    const delayMs = retryAfter ?? backoffDelay(options.policy, retry);
    // Free the connection: the body of a response that is retried is never read.
    await response.body?.cancel().catch(() => {});
    options.onRetry?.({
      retry,
      delayMs,
      method: options.method,
      url: options.url,
      status: response.status,
    });
    await sleep(delayMs, options.signal);
  }
}
