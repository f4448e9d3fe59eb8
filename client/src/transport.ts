/**
 * How the client talks HTTP: URLs relative to the API's base URL, the API key sent only to the
 * API's own origin, retries (`retry.ts`), and failed answers turned into `MediaApiError`.
 */
import { errorFromResponse } from './errors.ts';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryEvent,
  type RetryPolicy,
  sendWithRetries,
} from './retry.ts';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  baseUrl: string | URL;
  apiKey: string;
  fetch?: FetchLike | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /**
   * Send request bodies as streams, so upload progress follows what the transport has taken.
   * Default: on Node only: browsers stream request bodies only over HTTP/2 (Chromium), so there
   * progress jumps from 0 to done.
   */
  streamRequestBodies?: boolean | undefined;
}

/** Bytes per chunk of a streamed request body: how fine-grained progress is. */
const BODY_CHUNK_BYTES = 64 * 1024;

const runsOnNode = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ===
  'string';

export interface RequestOptions {
  method: string;
  /** May the request be sent twice? (see `retry.ts`) */
  replaySafe: boolean;
  /** Builds the rest of the request; called once per attempt (a streamed body is read once). */
  init: () => Omit<RequestInit, 'method' | 'signal'>;
  signal?: AbortSignal | undefined;
}

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined> | undefined;
  body?: unknown;
  idempotencyKey?: string | undefined;
  /** Told how many bytes of the (JSON) body the transport has taken so far, and of how many. */
  onBodyProgress?: ((sent: number, total: number) => void) | undefined;
  /** Defaults: GET and PUT yes, POST with an idempotency key yes, otherwise no. */
  replaySafe?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export interface ApiResult<T> {
  status: number;
  headers: Headers;
  data: T;
}

export class Transport {
  readonly baseUrl: URL;
  /** The base URL without a trailing slash: paths are appended to it. */
  readonly #prefix: string;
  readonly policy: RetryPolicy;
  readonly #apiKey: string;
  readonly #fetch: FetchLike;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  readonly #streamBodies: boolean;

  constructor(options: TransportOptions) {
    const base = new URL(options.baseUrl);
    base.search = '';
    base.hash = '';
    this.baseUrl = base;
    // Paths are appended to the base path (an API Gateway stage like `/prod` included).
    this.#prefix = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
    if (!options.apiKey) throw new TypeError('MediaClient needs an apiKey');
    this.#apiKey = options.apiKey;
    // Called unbound, so a browser's window.fetch must keep its receiver.
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#onRetry = options.onRetry;
    this.#streamBodies = options.streamRequestBodies ?? runsOnNode();
  }

  /** An API path (`/api/v1/media`, a file `url`) under the base URL; absolute URLs as they are. */
  resolve(pathOrUrl: string): URL {
    if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) return new URL(pathOrUrl);
    const path = pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`;
    return new URL(`${this.#prefix}${path}`);
  }

  /** The key goes to the API's origin and nowhere else (never to a storage host). */
  isApi(url: URL): boolean {
    return url.origin === this.baseUrl.origin;
  }

  headersFor(url: URL, extra?: Record<string, string>): Headers {
    const headers = new Headers(extra);
    if (this.isApi(url)) headers.set('authorization', `Bearer ${this.#apiKey}`);
    return headers;
  }

  /** One request with retries; answers whatever status came last (ok or not). */
  send(url: URL, options: RequestOptions): Promise<Response> {
    const fetchFn = this.#fetch;
    return sendWithRetries(
      () => fetchFn(url, { ...options.init(), method: options.method, signal: options.signal }),
      {
        method: options.method,
        // Never the query: a presigned URL's signature is a credential.
        url: `${url.origin}${url.pathname}`,
        replaySafe: options.replaySafe,
        policy: this.policy,
        signal: options.signal,
        onRetry: this.#onRetry,
      },
    );
  }

  /** A JSON call to the API; throws `MediaApiError` for any status outside 2xx. */
  async api<T>(call: ApiCall): Promise<ApiResult<T>> {
    const url = this.resolve(call.path);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const extra: Record<string, string> = { accept: 'application/json' };
    if (call.body !== undefined) extra['content-type'] = 'application/json';
    if (call.idempotencyKey) extra['idempotency-key'] = call.idempotencyKey;
    const body =
      call.body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(call.body));
    const replaySafe =
      call.replaySafe ??
      (call.method === 'GET' || call.method === 'PUT' || call.idempotencyKey !== undefined);
    const response = await this.send(url, {
      method: call.method,
      replaySafe,
      signal: call.signal,
      init: () => {
        const headers = this.headersFor(url, extra);
        return body ? { headers, ...this.body(body, headers, call.onBodyProgress) } : { headers };
      },
    });
    return readJson<T>(response);
  }

  /**
   * A request body that tells `onProgress` how many of its bytes the transport has taken
   * (streamed in chunks, with the exact `content-length` a presigned PUT signs), or the bytes
   * as they are when bodies are not streamed.
   */
  body(
    bytes: Uint8Array,
    headers: Headers,
    onProgress?: (sent: number, total: number) => void,
  ): { body: RequestInit['body']; duplex?: 'half' } {
    if (!onProgress || !this.#streamBodies) return { body: bytes as Uint8Array<ArrayBuffer> };
    headers.set('content-length', String(bytes.byteLength));
    let offset = 0;
    onProgress(0, bytes.byteLength);
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (offset >= bytes.byteLength) {
            controller.close();
            return;
          }
          const chunk = bytes.subarray(offset, offset + BODY_CHUNK_BYTES);
          offset += chunk.byteLength;
          controller.enqueue(chunk);
          onProgress(offset, bytes.byteLength);
        },
      },
      // Pull only when the transport asks: progress then follows the socket, not a buffer.
      { highWaterMark: 0 },
    );
    return { body: stream, duplex: 'half' };
  }
}

/** The parsed body of a 2xx answer; a `MediaApiError` for anything else. */
export async function readJson<T>(response: Response): Promise<ApiResult<T>> {
  if (!response.ok) {
    throw await errorFromResponse(response, parseRetryAfter(response.headers.get('retry-after')));
  }
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    data: (text ? JSON.parse(text) : undefined) as T,
  };
}
