/**
 * `MediaClient`: the media API from code. Works on Node 20+ and in browsers (fetch, Web
 * Streams, Web Crypto; no Node built-ins).
 */
import { download } from './download.ts';
import { fetchLimits, type MediaLimits } from './limits.ts';
import type { RetryEvent, RetryPolicy } from './retry.ts';
import { type FetchLike, Transport } from './transport.ts';
import type { Attachment, DeleteResult, ListItem, ListPage, ListQuery } from './types.ts';
import {
  type ResumeOptions,
  resumeUpload,
  type UploadContext,
  type UploadOptions,
  upload,
} from './upload.ts';
import type { UploadSource } from './upload-source.ts';
import type { ResumableUpload } from './upload-state.ts';

export interface MediaClientOptions {
  /** The API's base URL, e.g. `https://media.example.com` or an API Gateway stage URL. */
  baseUrl: string | URL;
  /** A `pf_live_…` key; sent as `Authorization: Bearer`, to the API's origin only. */
  apiKey: string;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Retries of transient failures (429, 503, network…); see `retry.ts`. */
  retry?: Partial<RetryPolicy>;
  /** Told before each retry (e.g. to log it). */
  onRetry?: (event: RetryEvent) => void;
  /** See `TransportOptions.streamRequestBodies`. */
  streamRequestBodies?: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
}

const ID_PATTERN = /^[a-z]+_[0-9A-Za-z]+$/;

export class MediaClient {
  readonly #transport: Transport;
  #limits: Promise<MediaLimits> | undefined;

  constructor(options: MediaClientOptions) {
    this.#transport = new Transport(options);
  }

  /** The API's limits (`GET /api/v1/media/limits`), or the defaults where it has none. Cached. */
  limits(options: CallOptions = {}): Promise<MediaLimits> {
    this.#limits ??= fetchLimits(this.#transport, options.signal).catch((error: unknown) => {
      this.#limits = undefined;
      throw error;
    });
    return this.#limits;
  }

  /**
   * Uploads a file to a post: base64 JSON up to `maxJsonUploadBytes`, an upload session above.
   * Throws `MediaApiError` when the API refuses it and `UploadInterruptedError` (with the state
   * for `resumeUpload`) when it was interrupted.
   */
  upload(source: UploadSource, options: UploadOptions): Promise<Attachment> {
    return upload(this.#uploadContext(), source, options);
  }

  /** Finishes an interrupted upload from `UploadInterruptedError.resume`, given the same bytes. */
  resumeUpload(
    state: ResumableUpload,
    source: UploadSource,
    options: ResumeOptions = {},
  ): Promise<Attachment> {
    return resumeUpload(this.#uploadContext(), state, source, options);
  }

  /** One page, newest first; pass the previous page's `nextCursor` for the next one. */
  async listPage(
    query: ListQuery & { cursor?: string | null } = {},
    options: CallOptions = {},
  ): Promise<ListPage> {
    const { data } = await this.#transport.api<ListPage>({
      method: 'GET',
      path: '/api/v1/media',
      query: {
        postId: query.postId,
        fileType: query.fileType,
        limit: query.limit,
        cursor: query.cursor ?? undefined,
      },
      signal: options.signal,
    });
    return data;
  }

  /** Every visible attachment, newest first, across all pages (`for await … of`). */
  async *list(query: ListQuery = {}, options: CallOptions = {}): AsyncGenerator<ListItem> {
    let cursor: string | null = null;
    do {
      const page: ListPage = await this.listPage({ ...query, cursor }, options);
      yield* page.items;
      cursor = page.hasMore ? page.nextCursor : null;
    } while (cursor);
  }

  async get(id: string, options: CallOptions = {}): Promise<Attachment> {
    const { data } = await this.#transport.api<Attachment>({
      method: 'GET',
      path: mediaPath(id),
      signal: options.signal,
    });
    return data;
  }

  /** Soft delete; restorable by an owner or admin until `purgeAfter`. Not retried on errors. */
  async delete(id: string, options: CallOptions = {}): Promise<DeleteResult> {
    const { data } = await this.#transport.api<DeleteResult>({
      method: 'DELETE',
      path: mediaPath(id),
      signal: options.signal,
    });
    return data;
  }

  async restore(
    id: string,
    options: CallOptions & { idempotencyKey?: string } = {},
  ): Promise<Attachment> {
    const { data } = await this.#transport.api<Attachment>({
      method: 'POST',
      path: `${mediaPath(id)}/restore`,
      // A retried restore whose first answer was lost gets that answer, not a 404.
      idempotencyKey: options.idempotencyKey ?? crypto.randomUUID(),
      signal: options.signal,
    });
    return data;
  }

  async setLegalHold(id: string, enabled: boolean, options: CallOptions = {}): Promise<Attachment> {
    const { data } = await this.#transport.api<Attachment>({
      method: 'PUT',
      path: `${mediaPath(id)}/legal-hold`,
      body: { enabled },
      signal: options.signal,
    });
    return data;
  }

  /**
   * The bytes of an attachment (by id) or of a file URL (its `url` or `thumbnailUrl`), as a
   * stream. Redirects to storage are followed without the API key.
   */
  async download(idOrUrl: string, options: CallOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const url = ID_PATTERN.test(idOrUrl) ? (await this.get(idOrUrl, options)).url : idOrUrl;
    return download(this.#transport, url, options.signal);
  }

  #uploadContext(): UploadContext {
    return { transport: this.#transport, limits: (signal) => this.limits({ signal }) };
  }
}

const mediaPath = (id: string) => `/api/v1/media/${encodeURIComponent(id)}`;
