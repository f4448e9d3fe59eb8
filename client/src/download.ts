/**
 * `download`: a file or thumbnail as a stream. The API answers with the bytes or with a
 * redirect to a short-lived signed storage URL; redirects are followed here, one hop at a
 * time, so the API key is sent to the API's origin only and never to the storage host.
 */
import { errorFromResponse } from './errors.ts';
import { parseRetryAfter } from './retry.ts';
import type { Transport } from './transport.ts';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function download(
  transport: Transport,
  url: string,
  signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  let current = transport.resolve(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const target = current;
    let response = await transport.send(target, {
      method: 'GET',
      replaySafe: true,
      signal,
      init: () => ({ headers: transport.headersFor(target), redirect: 'manual' }),
    });
    if (response.type === 'opaqueredirect') {
      // A browser hides where a manual redirect goes. Let it follow: the key travels only in
      // `Authorization`, which fetch drops on a redirect to another origin.
      response = await transport.send(target, {
        method: 'GET',
        replaySafe: true,
        signal,
        init: () => ({ headers: transport.headersFor(target), redirect: 'follow' }),
      });
    }
    if (REDIRECT_STATUSES.has(response.status)) {
      const location = response.headers.get('location');
      await response.body?.cancel().catch(() => {});
      if (!location) throw new Error(`${response.status} redirect without a Location`);
      current = new URL(location, target);
      continue;
    }
    if (!response.ok) {
      throw await errorFromResponse(response, parseRetryAfter(response.headers.get('retry-after')));
    }
    return response.body ?? new ReadableStream({ start: (controller) => controller.close() });
  }
  throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`);
}
