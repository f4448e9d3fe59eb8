/**
 * The API Gateway payload-2.0 event for a request (pure functions; unit-tested).
 *
 * Request bodies: text-like content types (JSON, text/*, XML, url-encoded forms) that are valid
 * UTF-8 are passed as text; everything else is base64 with `isBase64Encoded: true`, as API
 * Gateway does for binary payloads.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The account and API id the local stand-in reports wherever AWS would put real ones. */
export const LOCAL_ACCOUNT_ID = '000000000000';
const LOCAL_API_ID = 'local';

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
