/**
 * The Middy chain every endpoint shares: envelope for every error, no internals in a 500, the
 * request id on every response and in every log line, and never a key or file content in logs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateApiKey } from '../../../lib/auth/api-keys.ts';
import { keys } from '../../../lib/db/keys.ts';
import { ValidationError } from '../../../lib/errors.ts';
import { apiHandler } from '../../../lib/http/api-handler.ts';
import { type ApiContext, type ApiEvent, jsonResponse } from '../../../lib/http/types.ts';
import { logger } from '../../../lib/logger.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'media-test',
};
const apiKey = generateApiKey();
const FILE_CONTENT = 'VGhpcyBpcyB0aGUgc2VjcmV0IGZpbGUgY29udGVudA==';

function event(overrides: Partial<ApiEvent> = {}): ApiEvent {
  return {
    version: '2.0',
    routeKey: 'POST /api/v1/media',
    rawPath: '/api/v1/media',
    rawQueryString: '',
    headers: { authorization: `Bearer ${apiKey.key}`, 'content-type': 'application/json' },
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: '/api/v1/media',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'req-123',
      routeKey: 'POST /api/v1/media',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    body: JSON.stringify({ fileData: FILE_CONTENT }),
    isBase64Encoded: false,
    ...overrides,
  };
}

const context = { awsRequestId: 'lambda-req', functionName: 'test' } as ApiContext;
let logged = '';

beforeEach(() => {
  logger.setLogLevel('DEBUG');
  logged = '';
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      logged += String(chunk);
      return true;
    });
  }
  ddbMock.on(GetCommand, { Key: keys.apiKey(apiKey.keyId) }).resolves({
    Item: {
      id: apiKey.keyId,
      workspaceId: 'ws_one',
      userId: 'usr_one',
      scopes: ['media:read', 'media:write'],
      keyHash: apiKey.keyHash,
      createdAt: 1,
    },
  });
  ddbMock.on(GetCommand, { Key: keys.membership('ws_one', 'usr_one') }).resolves({
    Item: { role: 'member' },
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  ddbMock.reset();
  logger.setLogLevel('SILENT');
});

describe('apiHandler', () => {
  it('hands the handler the caller and the parsed body, and tags the response', async () => {
    const handler = apiHandler(
      async (_event, ctx) => jsonResponse(201, { caller: ctx.caller, body: ctx.jsonBody }),
      { auth: { table, scope: 'media:write' }, body: 'json' },
    );
    const response = await handler(event(), context);
    expect(response.statusCode).toBe(201);
    expect(response.headers?.['x-request-id']).toBe('req-123');
    expect(JSON.parse(response.body as string)).toEqual({
      caller: {
        keyId: apiKey.keyId,
        userId: 'usr_one',
        workspaceId: 'ws_one',
        role: 'member',
        scopes: ['media:read', 'media:write'],
      },
      body: { fileData: FILE_CONTENT },
    });
  });

  it('answers an unexpected error as a bare 500 and keeps keys and file content out of the logs', async () => {
    const handler = apiHandler(
      async () => {
        throw new Error('database password is hunter2');
      },
      { auth: { table, scope: 'media:write' }, body: 'json' },
    );
    const response = await handler(event(), context);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body as string)).toEqual({
      error: { code: 'internal_error', message: expect.any(String) },
    });
    expect(response.body).not.toContain('hunter2');
    expect(response.headers?.['x-request-id']).toBe('req-123');

    const lines = logged
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.requestId).toBe('req-123');
    // The full error (with its stack) is logged for the operator, only the envelope is answered.
    expect(
      lines.some((line) => line.level === 'ERROR' && line.error?.message?.includes('hunter2')),
    ).toBe(true);
    expect(logged).not.toContain(apiKey.key);
    expect(logged).not.toContain(apiKey.key.slice(8));
    expect(logged).not.toContain(FILE_CONTENT);
  });

  it('maps API errors to their status, code and details', async () => {
    const handler = apiHandler(async () => {
      throw ValidationError.forField('fileName', 'fileName: too long');
    });
    const response = await handler(event(), context);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body as string)).toEqual({
      error: {
        code: 'validation_error',
        message: 'fileName: too long',
        details: { field: 'fileName' },
      },
    });
  });

  it('answers 401 for a bad key before parsing the body, and never logs the key', async () => {
    const bad = 'pf_live_AAAAAAAAAAAAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const handler = apiHandler(async () => jsonResponse(200, {}), {
      auth: { table, scope: 'media:read' },
      body: 'json',
    });
    ddbMock.on(GetCommand).resolves({});
    const response = await handler(
      event({ headers: { authorization: `Bearer ${bad}` }, body: 'not json' }),
      context,
    );
    expect(response.statusCode).toBe(401);
    expect(logged).not.toContain(bad.slice(8));
  });

  it('answers 403 when the scope is missing', async () => {
    ddbMock.on(GetCommand, { Key: keys.apiKey(apiKey.keyId) }).resolves({
      Item: {
        id: apiKey.keyId,
        workspaceId: 'ws_one',
        userId: 'usr_one',
        scopes: ['media:read'],
        keyHash: apiKey.keyHash,
        createdAt: 1,
      },
    });
    const handler = apiHandler(async () => jsonResponse(200, {}), {
      auth: { table, scope: 'media:write' },
    });
    const response = await handler(event(), context);
    expect(response.statusCode).toBe(403);
  });
});
