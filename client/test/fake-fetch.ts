/**
 * A fetch for tests: records every request the client makes (method, URL, headers) and lets a
 * test answer some of them itself, fail them, or pass them on to the real fetch.
 */
import type { FetchLike } from '../src/transport.ts';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  init: RequestInit | undefined;
}

/** Answers a request itself (a Response, or throws), or returns undefined to pass it on. */
export type Intercept = (
  request: RecordedRequest,
  pass: () => Promise<Response>,
) => Promise<Response | undefined> | Response | undefined;

export function recordingFetch(intercept?: Intercept) {
  const requests: RecordedRequest[] = [];
  const fetchFn: FetchLike = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const request = { method: init?.method ?? 'GET', url, headers, init };
    requests.push(request);
    const pass = () => fetch(input, init);
    return (await intercept?.(request, pass)) ?? pass();
  };
  return { fetch: fetchFn, requests };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export const envelope = (code: string, message = code, details?: Record<string, unknown>) => ({
  error: { code, message, ...(details ? { details } : {}) },
});

/** What fetch throws when the connection fails. */
export const networkError = () => new TypeError('fetch failed', { cause: new Error('ECONNRESET') });

/** Reads `bytes` of a streamed request body, then fails like a connection cut at that point. */
export async function cutOffAfter(request: RecordedRequest, bytes: number): Promise<never> {
  const body = request.init?.body;
  if (!(body instanceof ReadableStream)) throw new Error('expected a streamed body');
  const reader = body.getReader();
  let read = 0;
  while (read < bytes) {
    const next = await reader.read();
    if (next.done) break;
    read += next.value.byteLength;
  }
  await reader.cancel();
  throw networkError();
}
