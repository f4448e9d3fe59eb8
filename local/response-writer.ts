/**
 * Putting an `OutgoingResponse` on the `node:http` response, and deciding when a request body
 * that was never read calls for closing the connection afterwards.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../lib/http/types.ts';
import type { OutgoingResponse } from './outgoing-response.ts';

const LINGER_MS = 1_000;

/**
 * Writes a response. When the request body was not (fully) read, the connection is closed
 * afterwards, but only after a short linger during which incoming bytes are discarded, so
 * the client gets to read the answer instead of a connection reset.
 */
export function writeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  response: OutgoingResponse,
  { bodyUnread = false } = {},
): void {
  if (res.headersSent || res.destroyed) return;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (!res.hasHeader(REQUEST_ID_HEADER)) res.setHeader(REQUEST_ID_HEADER, requestId);
  const noBody =
    req.method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304;
  if (!noBody) res.setHeader('content-length', response.body.length);
  if (bodyUnread && expectsBody(req) && !req.complete && !smallDeclaredBody(req)) {
    res.setHeader('connection', 'close');
    req.on('data', () => {}); // discard while lingering
    req.resume();
    res.on('finish', () => {
      setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
    });
  }
  res.writeHead(response.statusCode);
  res.end(noBody ? undefined : response.body);
}

/**
 * A small declared body left unread is simply drained by Node after the response (the
 * connection stays open); only bigger or unknown-length bodies get the linger-and-close.
 */
function smallDeclaredBody(req: IncomingMessage): boolean {
  const length = Number(req.headers['content-length']);
  return req.headers['transfer-encoding'] === undefined && length <= SMALL_BODY_BYTES;
}
const SMALL_BODY_BYTES = 64 * 1024;

function expectsBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
