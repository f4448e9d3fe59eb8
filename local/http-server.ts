/**
 * The local stand-in for API Gateway (HTTP API, Lambda proxy integration, payload format 2.0):
 * a `node:http` server that matches each request against `functions/routes.ts`, turns it into
 * the event API Gateway would send, calls the route's (Middy-wrapped) Lambda handler with a
 * Lambda-like context, and writes the handler's result back.
 *
 * What the adapter answers itself, always with the JSON error envelope and `x-request-id`:
 * 404 `not_found` (no route has that path), 405 `method_not_allowed` (+ `allow`), 413
 * `payload_too_large` (as soon as Content-Length or the bytes received exceed `maxBodyBytes`),
 * 500 `internal_error` (handler threw, could not be loaded, or returned something that is not
 * a result), 504 `gateway_timeout` (handler took longer than `handlerTimeoutMs`).
 *
 * Request bodies: text-like content types (JSON, text/*, XML, url-encoded forms) that are valid
 * UTF-8 are passed as text; everything else is base64 with `isBase64Encoded: true`, as API
 * Gateway does for binary payloads.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { routes as defaultRoutes, type RouteDefinition } from '../functions/routes.ts';
import { type ErrorEnvelope, PayloadTooLargeError, toErrorResponse } from '../lib/errors.ts';
import { REQUEST_ID_HEADER } from '../lib/http/types.ts';

/** What a `functions/<name>/handler.ts` exports as `handler`. */
export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => unknown;
export type HandlerLoader = (name: string) => Promise<LambdaHandler>;

export interface HttpServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: the table in `functions/routes.ts`. */
  routes?: readonly RouteDefinition[];
  /** Largest request body accepted; default `defaultMaxBodyBytes()`. */
  maxBodyBytes?: number;
  /** Default: dynamic import of `functions/<name>/handler.ts` from the repository root. */
  loadHandler?: HandlerLoader;
  /** Like API Gateway's integration timeout; default 30 s. */
  handlerTimeoutMs?: number;
  /** Called for adapter-level failures (500s); default: one line on stderr. */
  onError?: (error: unknown, info: { requestId: string; routeKey: string }) => void;
}

export interface LocalHttpServer {
  url: string;
  host: string;
  port: number;
  server: Server;
  /** Stops accepting, lets in-flight requests finish (up to a few seconds), then resolves. */
  close(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_MAX_UPLOAD_BYTES = 52_428_800;
const JSON_OVERHEAD_BYTES = 1_048_576;
const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;
const LOCAL_ACCOUNT_ID = '000000000000';
const LOCAL_API_ID = 'local';

/**
 * The base64 size of the largest upload plus 1 MiB for the rest of the JSON: the biggest body a
 * valid JSON upload can have. `maxUploadBytes` defaults to `MEDIA_MAX_UPLOAD_BYTES` (50 MB).
 */
export function defaultMaxBodyBytes(maxUploadBytes?: number): number {
  let upload = maxUploadBytes;
  if (upload === undefined) {
    const fromEnv = Number(process.env.MEDIA_MAX_UPLOAD_BYTES);
    upload = Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_UPLOAD_BYTES;
  }
  return 4 * Math.ceil(upload / 3) + JSON_OVERHEAD_BYTES;
}

// ---------------------------------------------------------------------------------------------
// Routing

export type RouteMatch =
  | {
      kind: 'found';
      route: RouteDefinition;
      routeKey: string;
      pathParameters: Record<string, string>;
    }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' };

type SegmentMatcher =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

function parseRoutePath(path: string): SegmentMatcher[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => {
      const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(segment);
      if (greedy) return { kind: 'greedy', name: greedy[1] as string };
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (param) return { kind: 'param', name: param[1] as string };
      return { kind: 'literal', value: segment };
    });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Path parameters when `rawPath` matches, else undefined. A greedy `{x+}` needs ≥ 1 character. */
function matchPath(
  matchers: SegmentMatcher[],
  segments: string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < matchers.length; i++) {
    const matcher = matchers[i] as SegmentMatcher;
    if (matcher.kind === 'greedy') {
      const rest = segments.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[matcher.name] = rest.map(decodeSegment).join('/');
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    if (matcher.kind === 'literal') {
      if (segment !== matcher.value) return undefined;
    } else {
      if (segment === '') return undefined;
      params[matcher.name] = decodeSegment(segment);
    }
  }
  return segments.length === matchers.length ? params : undefined;
}

/** Like API Gateway: literal segments beat `{param}`, which beats `{proxy+}`. */
function specificity(matchers: SegmentMatcher[]): number[] {
  return matchers.map((m) => (m.kind === 'literal' ? 3 : m.kind === 'param' ? 2 : 1));
}

function compareSpecificity(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (b[i] ?? 0) - (a[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function createRouter(routeTable: readonly RouteDefinition[]) {
  const compiled = routeTable.map((route) => ({
    route,
    matchers: parseRoutePath(route.path),
    rank: specificity(parseRoutePath(route.path)),
  }));
  return function matchRoute(method: string, rawPath: string): RouteMatch {
    const segments = rawPath.split('/').slice(1);
    const hits = compiled
      .map((entry) => ({ ...entry, params: matchPath(entry.matchers, segments) }))
      .filter((entry) => entry.params !== undefined)
      .sort((a, b) => compareSpecificity(a.rank, b.rank));
    if (hits.length === 0) return { kind: 'not_found' };
    const hit = hits.find((entry) => entry.route.method === method);
    if (!hit) {
      return { kind: 'method_not_allowed', allow: [...new Set(hits.map((h) => h.route.method))] };
    }
    return {
      kind: 'found',
      route: hit.route,
      routeKey: `${hit.route.method} ${hit.route.path}`,
      pathParameters: hit.params as Record<string, string>,
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Event building (pure; unit-tested)

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON, text/*, XML and url-encoded forms are text; everything else (or none) is binary. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/x-www-form-urlencoded'
  );
}

/** `{ body, isBase64Encoded }` the way API Gateway passes a request body to Lambda. */
export function encodeBody(
  body: Buffer,
  contentType: string | undefined,
): { body: string | undefined; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: undefined, isBase64Encoded: false };
  if (isTextContentType(contentType)) {
    try {
      return { body: strictUtf8.decode(body), isBase64Encoded: false };
    } catch {
      // not valid UTF-8: pass the bytes untouched
    }
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

/** Lower-cased names, repeated headers joined with `,`; `cookie` goes to `cookies` instead. */
export function collectHeaders(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  cookies: string[];
} {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    if (name === 'cookie') {
      for (const cookie of value.split(';')) {
        const trimmed = cookie.trim();
        if (trimmed) cookies.push(trimmed);
      }
      continue;
    }
    const existing = headers[name];
    headers[name] = existing === undefined ? value : `${existing},${value}`;
  }
  return { headers, cookies };
}

/** Decoded query parameters; repeated keys joined with `,`. Undefined when there are none. */
export function parseQueryString(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const params: Record<string, string> = {};
  let any = false;
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    if (key === '') continue;
    any = true;
    const existing = params[key];
    params[key] = existing === undefined ? value : `${existing},${value}`;
  }
  return any ? params : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`: `12/Mar/2020:19:03:58 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

/** Splits a request target (`/p?q`, or absolute-form `http://h/p?q`) into path and query. */
export function splitTarget(target: string): { rawPath: string; rawQueryString: string } {
  let pathAndQuery = target;
  if (!target.startsWith('/')) {
    try {
      const url = new URL(target);
      pathAndQuery = `${url.pathname}${url.search}`;
    } catch {
      pathAndQuery = '/';
    }
  }
  const hash = pathAndQuery.indexOf('#');
  if (hash !== -1) pathAndQuery = pathAndQuery.slice(0, hash);
  const question = pathAndQuery.indexOf('?');
  return question === -1
    ? { rawPath: pathAndQuery, rawQueryString: '' }
    : {
        rawPath: pathAndQuery.slice(0, question),
        rawQueryString: pathAndQuery.slice(question + 1),
      };
}

export interface EventInput {
  method: string;
  /** The request target as received (`req.url`). */
  url: string;
  /** `req.rawHeaders`: name, value, name, value, … */
  rawHeaders: readonly string[];
  body: Buffer;
  routeKey: string;
  pathParameters: Record<string, string>;
  requestId: string;
  sourceIp: string;
  /** `1.1` → `HTTP/1.1`. */
  httpVersion: string;
  /** For `x-forwarded-port` / `domainName` when no Host header was sent. */
  localPort: number;
  timeEpoch: number;
}

export function buildEvent(input: EventInput): APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString } = splitTarget(input.url);
  const { headers, cookies } = collectHeaders(input.rawHeaders);
  // What API Gateway adds in front of the function.
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${input.sourceIp}`
    : input.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(input.localPort);
  const domainName = headers.host ?? `localhost:${input.localPort}`;
  const { body, isBase64Encoded } = encodeBody(input.body, headers['content-type']);

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0]?.split(':')[0] ?? domainName,
      http: {
        method: input.method,
        path: rawPath,
        protocol: `HTTP/${input.httpVersion}`,
        sourceIp: input.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: formatRequestTime(input.timeEpoch),
      timeEpoch: input.timeEpoch,
    },
    isBase64Encoded,
  };
  if (cookies.length > 0) event.cookies = cookies;
  const query = parseQueryString(rawQueryString);
  if (query) event.queryStringParameters = query;
  if (Object.keys(input.pathParameters).length > 0) event.pathParameters = input.pathParameters;
  if (body !== undefined) event.body = body;
  return event;
}

/** A Lambda-like context: the fields Middy and Powertools read. */
export function createLambdaContext(functionName: string, deadline: number): Context {
  const fullName = `media-service-${functionName}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fullName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:${LOCAL_ACCOUNT_ID}:function:${fullName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fullName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

// ---------------------------------------------------------------------------------------------
// Results

interface OutgoingResponse {
  statusCode: number;
  headers: Array<[string, string | string[]]>;
  body: Buffer;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a handler's structured result and turns it into what goes on the wire. Anything
 * that is not a `{ statusCode, headers?, cookies?, body?, isBase64Encoded? }` with sane types
 * throws, and the adapter answers 500.
 */
export function toOutgoingResponse(result: unknown): OutgoingResponse {
  if (!isPlainObject(result)) throw new Error('handler result is not an object');
  const { statusCode, headers, cookies, body, isBase64Encoded } =
    result as APIGatewayProxyStructuredResultV2;
  if (
    !Number.isInteger(statusCode) ||
    (statusCode as number) < 100 ||
    (statusCode as number) > 599
  ) {
    throw new Error(`handler result has an invalid statusCode: ${String(statusCode)}`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new Error('handler result body is not a string');
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') {
    throw new Error('handler result isBase64Encoded is not a boolean');
  }
  const out: Array<[string, string | string[]]> = [];
  const setCookies: string[] = [];
  if (headers !== undefined && headers !== null) {
    if (!isPlainObject(headers)) throw new Error('handler result headers is not an object');
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || value === null) continue;
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw new Error(`handler result header ${name} is not a string`);
      }
      const text = String(value);
      validateHeaderName(name);
      validateHeaderValue(name, text);
      if (name.toLowerCase() === 'set-cookie') setCookies.push(text);
      else out.push([name, text]);
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) {
      throw new Error('handler result cookies is not a list of strings');
    }
    for (const cookie of cookies) validateHeaderValue('set-cookie', cookie);
    setCookies.push(...cookies);
  }
  if (setCookies.length > 0) out.push(['set-cookie', setCookies]);
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode: statusCode as number,
    headers: out,
    body: isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

function envelopeResponse(
  statusCode: number,
  envelope: ErrorEnvelope,
  extraHeaders: Array<[string, string]> = [],
): OutgoingResponse {
  return {
    statusCode,
    headers: [
      ['content-type', 'application/json; charset=utf-8'],
      ['cache-control', 'no-store'],
      ...extraHeaders,
    ],
    body: Buffer.from(JSON.stringify(envelope)),
  };
}

function errorResponse(
  statusCode: number,
  code: string,
  message: string,
  extraHeaders: Array<[string, string]> = [],
): OutgoingResponse {
  return envelopeResponse(statusCode, { error: { code, message } }, extraHeaders);
}

function internalError(): OutgoingResponse {
  const { statusCode, body } = toErrorResponse(new Error('adapter'));
  return envelopeResponse(statusCode, body);
}

function payloadTooLarge(limitBytes: number, sizeBytes: number | null): OutgoingResponse {
  const { statusCode, body } = toErrorResponse(
    new PayloadTooLargeError(
      `The request body is larger than the ${limitBytes} bytes this API accepts.`,
      limitBytes,
      sizeBytes,
    ),
  );
  return envelopeResponse(statusCode, body);
}

// ---------------------------------------------------------------------------------------------
// The server

/** Loads `functions/<name>/handler.ts` relative to the repository, not the working directory. */
export const importHandler: HandlerLoader = async (name) => {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`invalid function name ${name}`);
  const file = pathToFileURL(join(REPO_ROOT, 'functions', name, 'handler.ts')).href;
  const module = (await import(file)) as { handler?: unknown };
  if (typeof module.handler !== 'function') {
    throw new Error(`functions/${name}/handler.ts does not export a handler function`);
  }
  return module.handler as LambdaHandler;
};

type BodyOutcome =
  | { kind: 'complete'; body: Buffer }
  | { kind: 'too_large'; sizeBytes: number | null }
  | { kind: 'aborted' };

/** Reads the body up to `limit` bytes; stops (without consuming the rest) once it is exceeded. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyOutcome> {
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    const size = Number(declared);
    if (Number.isSafeInteger(size) && size > limit) {
      return Promise.resolve({ kind: 'too_large', sizeBytes: size });
    }
  }
  if (req.complete && req.readableEnded)
    return Promise.resolve({ kind: 'complete', body: Buffer.alloc(0) });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        req.pause();
        chunks.length = 0;
        // Without a Content-Length the full size is unknown: report what arrived so far.
        finish({ kind: 'too_large', sizeBytes: received });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ kind: 'complete', body: Buffer.concat(chunks, received) });
    const onClose = () => {
      if (!req.complete) finish({ kind: 'aborted' });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}

function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
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

const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const LINGER_MS = 1_000;

export async function startHttpServer(options: HttpServerOptions = {}): Promise<LocalHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const matchRoute = createRouter(options.routes ?? defaultRoutes);
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes();
  const loadHandler = options.loadHandler ?? importHandler;
  const handlerTimeoutMs = options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
  const onError =
    options.onError ??
    ((error: unknown, info: { requestId: string; routeKey: string }) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`[local-api] ${info.routeKey} (${info.requestId}) failed: ${message}`);
    });
  const handlers = new Map<string, Promise<LambdaHandler>>();

  function handlerFor(name: string): Promise<LambdaHandler> {
    let loading = handlers.get(name);
    if (!loading) {
      loading = loadHandler(name);
      handlers.set(name, loading);
      // A failed import is retried on the next request (e.g. after fixing a syntax error).
      loading.catch(() => handlers.delete(name));
    }
    return loading;
  }

  /**
   * Writes a response. When the request body was not (fully) read, the connection is closed
   * afterwards, but only after a short linger during which incoming bytes are discarded, so
   * the client gets to read the answer instead of a connection reset.
   */
  function send(
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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const timeEpoch = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const { rawPath } = splitTarget(req.url ?? '/');
    let routeKey = `${method} ${rawPath}`;
    try {
      const match = matchRoute(method, rawPath);
      if (match.kind === 'not_found') {
        send(req, res, requestId, errorResponse(404, 'not_found', `No route for ${rawPath}.`), {
          bodyUnread: true,
        });
        return;
      }
      if (match.kind === 'method_not_allowed') {
        const allow = match.allow.join(', ');
        send(
          req,
          res,
          requestId,
          errorResponse(405, 'method_not_allowed', `${method} is not allowed here; use ${allow}.`, [
            ['allow', allow],
          ]),
          { bodyUnread: true },
        );
        return;
      }
      routeKey = match.routeKey;

      const outcome = await readBody(req, maxBodyBytes);
      if (outcome.kind === 'aborted') return; // the client went away; nobody to answer
      if (outcome.kind === 'too_large') {
        send(req, res, requestId, payloadTooLarge(maxBodyBytes, outcome.sizeBytes), {
          bodyUnread: true,
        });
        return;
      }

      const event = buildEvent({
        method,
        url: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        body: outcome.body,
        routeKey,
        pathParameters: match.pathParameters,
        requestId,
        sourceIp: clientIp(req),
        httpVersion: req.httpVersion,
        localPort: req.socket.localPort ?? 0,
        timeEpoch,
      });
      const timeoutMs = handlerTimeoutMs > 0 ? handlerTimeoutMs : 900_000;
      const context = createLambdaContext(match.route.name, Date.now() + timeoutMs);
      const handler = await handlerFor(match.route.name);
      const result = await withTimeout(
        Promise.resolve().then(() => handler(event, context)),
        timeoutMs,
      );
      if (result === TIMED_OUT) {
        onError(new Error(`handler timed out after ${timeoutMs} ms`), { requestId, routeKey });
        send(
          req,
          res,
          requestId,
          errorResponse(504, 'gateway_timeout', 'The request took too long to answer.'),
        );
        return;
      }
      send(req, res, requestId, toOutgoingResponse(result));
    } catch (error) {
      onError(error, { requestId, routeKey });
      send(req, res, requestId, internalError(), { bodyUnread: true });
    }
  }

  const server = createServer((req, res) => {
    req.on('error', () => {}); // aborted uploads: handled via `close`
    res.on('error', () => {});
    handle(req, res).catch((error: unknown) => {
      // Last resort: `send` itself failed. Never let it crash the server.
      onError(error, { requestId: 'unknown', routeKey: `${req.method} ${req.url}` });
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({
      error: { code: 'bad_request', message: 'The request could not be parsed.' },
    });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${randomUUID()}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  });

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`API: port ${options.port ?? 0} on ${host} is already in use`)
          : new Error(`API: cannot listen on ${host}:${options.port ?? 0}: ${error.message}`),
      );
    server.once('error', onError);
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });

  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 3_000).unref();
      });
      return closing;
    },
  };
}
