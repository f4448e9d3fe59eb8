/**
 * Errors the client throws. Every answer of the API that is not a success becomes a
 * `MediaApiError` carrying the API's envelope (`{"error":{"code","message","details?"}}`), its
 * status and request id; answers that are not an envelope (a gateway's own 413/429/503, a
 * storage host's XML) are mapped onto the same shape so callers handle one type.
 */
import type { ResumableUpload } from './upload-state.ts';

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface MediaApiErrorInit {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
  requestId?: string | undefined;
  retryAfterMs?: number | undefined;
}

export class MediaApiError extends Error {
  override readonly name = 'MediaApiError';
  readonly status: number;
  /** The API's snake_case code (`not_found`, `legal_hold`, `rate_limited`, …). */
  readonly code: string;
  /** What helps to act: `field` for 400s, `limitBytes`/`sizeBytes` for 413. */
  readonly details: Record<string, unknown> | undefined;
  /** The API's `x-request-id` (or the gateway's id): quote it when reporting a problem. */
  readonly requestId: string | undefined;
  /** How long the server asked to wait before trying again (`Retry-After`), if it did. */
  readonly retryAfterMs: number | undefined;

  constructor(init: MediaApiErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** The envelope as the API sent it, plus the status and the request id. */
  toJSON(): ErrorEnvelope & { status: number; requestId?: string } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
      status: this.status,
      ...(this.requestId ? { requestId: this.requestId } : {}),
    };
  }
}

/**
 * An upload stopped by something that may pass (the network, an outage, the caller's abort
 * signal) rather than refused by the API. `resume` is plain JSON: keep it and pass it with the
 * same bytes to `MediaClient.resumeUpload` to finish without starting over where possible.
 */
export class UploadInterruptedError extends Error {
  override readonly name = 'UploadInterruptedError';

  constructor(
    message: string,
    readonly resume: ResumableUpload,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** Codes of the contract for statuses whose answer carried no envelope (e.g. a gateway's). */
const CODE_BY_STATUS: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  500: 'internal_error',
};

const REQUEST_ID_HEADERS = ['x-request-id', 'apigw-requestid', 'x-amz-request-id'];

/** Reads a failed response (consuming its body) into a `MediaApiError`. */
export async function errorFromResponse(
  response: Response,
  retryAfterMs?: number,
): Promise<MediaApiError> {
  const text = await response.text().catch(() => '');
  const requestId = REQUEST_ID_HEADERS.map((name) => response.headers.get(name)).find(Boolean);
  const envelope = parseEnvelope(text);
  if (envelope) {
    return new MediaApiError({
      status: response.status,
      ...envelope.error,
      requestId: requestId ?? undefined,
      retryAfterMs,
    });
  }
  return new MediaApiError({
    status: response.status,
    code: CODE_BY_STATUS[response.status] ?? `http_${response.status}`,
    message: messageOf(text) || response.statusText || `HTTP ${response.status}`,
    requestId: requestId ?? undefined,
    retryAfterMs,
  });
}

function parseEnvelope(text: string): ErrorEnvelope | null {
  try {
    const body = JSON.parse(text) as Partial<ErrorEnvelope> | null;
    const error = body?.error;
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      const details = error.details;
      return {
        error: {
          code: error.code,
          message: error.message,
          ...(details && typeof details === 'object' ? { details } : {}),
        },
      };
    }
  } catch {
    // not JSON
  }
  return null;
}

/** A gateway's `{"message":…}`, an S3 `<Message>…</Message>`, or the start of the text. */
function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; Message?: unknown } | null;
    const message = body?.message ?? body?.Message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON
  }
  const xml = /<Message>([^<]*)<\/Message>/.exec(text);
  if (xml?.[1]) return xml[1];
  return text.trim().slice(0, 200);
}
