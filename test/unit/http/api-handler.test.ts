/**
 * The Middy chain every endpoint shares: envelope for every error, no internals in a 500, the
 * request id on every response and in every log line, and never a key or file content in logs.
 */
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateApiKey } from '../../../lib/auth/api-keys.ts';
import { readItem } from '../../../lib/db/batch-get.ts';
import { keys } from '../../../lib/db/keys.ts';
import { ValidationError } from '../../../lib/errors.ts';
import { apiHandler } from '../../../lib/http/api-handler.ts';
import { idempotent } from '../../../lib/http/idempotency.ts';
import { jsonBody } from '../../../lib/http/json-body.ts';
import { type ApiContext, type ApiEvent, jsonResponse } from '../../../lib/http/types.ts';
import { logger } from '../../../lib/logger.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'media-test',
};
const apiKey = generateApiKey();
/** The stored record of `apiKey`: a member's key in ws_one with read and write scopes. */
const apiKeyRecord = {
  id: apiKey.keyId,
  workspaceId: 'ws_one',
  userId: 'usr_one',
  scopes: ['media:read', 'media:write'],
  keyHash: apiKey.keyHash,
  createdAt: 1,
};
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
  ddbMock.on(GetCommand, { Key: keys.apiKey(apiKey.keyId) }).resolves({ Item: apiKeyRecord });
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
      { auth: { table, scope: 'media:write' }, body: jsonBody() },
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
      { auth: { table, scope: 'media:write' }, body: jsonBody() },
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

  it('logs a rejected request as one line that says why, without its stack', async () => {
    const handler = apiHandler(async () => {
      throw ValidationError.forField('fileName', 'fileName: too long');
    });
    await handler(event(), context);
    const lines = logged
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'request completed',
        requestId: 'req-123',
        statusCode: 400,
        code: 'validation_error',
        reason: 'fileName: too long',
      }),
    ]);
    expect(logged).not.toContain('stack');
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
      body: jsonBody(),
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

/**
 * The request guards behind API Gateway (payload format 2.0 events, mocked table): the same
 * code the local adapter runs in the integration tests.
 */
describe('apiHandler: rate limit', () => {
  const handler = (limit: number) =>
    apiHandler(async () => jsonResponse(200, { ok: true }), {
      auth: { table, scope: 'media:read' },
      rateLimitPerMinute: limit,
    });

  it("counts with one atomic ADD on the key's window item and reports what is left", async () => {
    ddbMock.on(UpdateCommand).resolves({ Attributes: { requests: 2 } });
    const response = await handler(5)(event(), context);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'ratelimit-policy': '"per-key";q=5;w=60',
      ratelimit: expect.stringMatching(/^"per-key";r=3;t=\d+$/),
    });
    const [update] = ddbMock.commandCalls(UpdateCommand);
    const windowStart = Math.floor(Date.now() / 60_000) * 60;
    expect(update?.args[0].input).toMatchObject({
      Key: keys.rateWindow(apiKey.keyId, windowStart),
      UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
    });
  });

  it('answers 429 with Retry-After over the limit, without calling the handler', async () => {
    ddbMock.on(UpdateCommand).resolves({ Attributes: { requests: 6 } });
    const inner = vi.fn(async () => jsonResponse(200, {}));
    const limited = apiHandler(inner, {
      auth: { table, scope: 'media:read' },
      rateLimitPerMinute: 5,
    });
    const response = await limited(event(), context);
    expect(response.statusCode).toBe(429);
    expect(inner).not.toHaveBeenCalled();
    const retryAfter = response.headers?.['retry-after'];
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(response.headers).toMatchObject({
      'x-request-id': 'req-123',
      ratelimit: `"per-key";r=0;t=${retryAfter}`,
    });
    expect(JSON.parse(response.body as string).error.code).toBe('rate_limited');
  });

  it('costs nothing when off', async () => {
    const response = await handler(0)(event(), context);
    expect(response.statusCode).toBe(200);
    expect(response.headers?.ratelimit).toBeUndefined();
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('apiHandler: Idempotency-Key', () => {
  const KEY = 'a3b1c2d4-0000-4000-8000-000000000001';
  const withKey = () => event({ headers: { ...event().headers, 'idempotency-key': KEY } });
  /** What Powertools stores and compares: base64 SHA-256 of the JSON of the selection. */
  const powertoolsHash = (value: unknown) =>
    createHash('sha256').update(JSON.stringify(value)).digest('base64');
  const bodyHash = createHash('sha256')
    .update(withKey().body ?? '')
    .digest('hex');
  const recordKey = keys.idempotency(`media-api#${powertoolsHash([apiKey.keyId, KEY])}`);
  const stored = { statusCode: 201, headers: { 'x-first': '1' }, body: '{"id":"att_first"}' };
  const existing = (request: string) =>
    new ConditionalCheckFailedException({
      message: 'exists',
      $metadata: {},
      Item: {
        PK: { S: recordKey.PK },
        SK: { S: recordKey.SK },
        status: { S: 'COMPLETED' },
        ttl: { N: String(Math.floor(Date.now() / 1000) + 3600) },
        data: { M: {} },
        validation: { S: powertoolsHash(request) },
      },
    });
  const idempotentHandler = (inner = vi.fn(async () => jsonResponse(201, { id: 'att_new' }))) => ({
    inner,
    handler: apiHandler(idempotent(table, inner), { auth: { table, scope: 'media:write' } }),
  });

  it('runs once and stores the response under the caller-scoped key in the table', async () => {
    ddbMock.on(PutItemCommand).resolves({});
    ddbMock.on(UpdateItemCommand).resolves({});
    const { inner, handler } = idempotentHandler();
    const response = await handler(withKey(), context);
    expect(response.statusCode).toBe(201);
    expect(response.headers?.['idempotent-replayed']).toBeUndefined();
    expect(inner).toHaveBeenCalledTimes(1);
    const [put] = ddbMock.commandCalls(PutItemCommand);
    expect(put?.args[0].input.Item).toMatchObject({
      PK: { S: recordKey.PK },
      SK: { S: recordKey.SK },
      status: { S: 'INPROGRESS' },
      validation: { S: powertoolsHash(`POST /api/v1/media ${bodyHash}`) },
    });
    const [update] = ddbMock.commandCalls(UpdateItemCommand);
    expect(update?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':status': { S: 'COMPLETED' },
    });
  });

  it('replays a completed request with Idempotent-Replayed: true', async () => {
    const item = existing(`POST /api/v1/media ${bodyHash}`);
    item.Item = {
      ...item.Item,
      data: {
        M: {
          statusCode: { N: '201' },
          headers: { M: { 'x-first': { S: '1' } } },
          body: { S: stored.body },
        },
      },
    };
    ddbMock.on(PutItemCommand).rejects(item);
    const { inner, handler } = idempotentHandler();
    const response = await handler(withKey(), context);
    expect(inner).not.toHaveBeenCalled();
    expect(response).toMatchObject({
      statusCode: 201,
      body: stored.body,
      headers: { 'x-first': '1', 'idempotent-replayed': 'true', 'x-request-id': 'req-123' },
    });
  });

  it('answers 422 idempotency_key_reused when the key was used for another request', async () => {
    ddbMock.on(PutItemCommand).rejects(existing(`POST /api/v1/media ${'0'.repeat(64)}`));
    const { inner, handler } = idempotentHandler();
    const response = await handler(withKey(), context);
    expect(inner).not.toHaveBeenCalled();
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body as string).error.code).toBe('idempotency_key_reused');
  });

  it('releases the key when the request fails', async () => {
    ddbMock.on(PutItemCommand).resolves({});
    ddbMock.on(DeleteItemCommand).resolves({});
    const { handler } = idempotentHandler(
      vi.fn(async () => {
        throw new ValidationError('bad');
      }),
    );
    const response = await handler(withKey(), context);
    expect(response.statusCode).toBe(400);
    expect(ddbMock.commandCalls(DeleteItemCommand)[0]?.args[0].input.Key).toEqual({
      PK: { S: recordKey.PK },
      SK: { S: recordKey.SK },
    });
  });

  it('without the header, runs the handler with no table access', async () => {
    const { inner, handler } = idempotentHandler();
    expect((await handler(event(), context)).statusCode).toBe(201);
    expect(inner).toHaveBeenCalledTimes(1);
    expect(ddbMock.commandCalls(PutItemCommand)).toHaveLength(0);
  });
});

describe('apiHandler: reads ahead (prefetch)', () => {
  const stored: Record<string, Record<string, unknown>> = {
    [`${keys.apiKey(apiKey.keyId).PK}|KEY`]: {
      ...keys.apiKey(apiKey.keyId),
      ...apiKeyRecord,
    },
    [`${keys.membership('ws_one', 'usr_one').PK}|${keys.membership('ws_one', 'usr_one').SK}`]: {
      ...keys.membership('ws_one', 'usr_one'),
      role: 'member',
    },
    [`${keys.post('pst_one').PK}|POST`]: { ...keys.post('pst_one'), title: 'one' },
  };

  beforeEach(() => {
    ddbMock.on(BatchGetCommand).callsFake((input) => {
      const request = Object.values(input.RequestItems ?? {})[0] as {
        Keys: Array<{ PK: string; SK: string }>;
        ConsistentRead?: boolean;
      };
      expect(request.ConsistentRead).toBe(true);
      return {
        Responses: {
          'media-test': request.Keys.map((key) => stored[`${key.PK}|${key.SK}`]).filter(Boolean),
        },
      };
    });
  });

  it('reads the key with the first items, the membership with the next, and serves them once', async () => {
    ddbMock.on(GetCommand, { Key: keys.post('pst_one') }).resolves({});
    const seen: unknown[] = [];
    const handler = apiHandler(
      async (_event, ctx) => {
        // Read ahead: no call to the table.
        seen.push(await readItem(ctx.table, keys.post('pst_one')));
        seen.push(await readItem(ctx.table, keys.user('usr_one')));
        // Handed out once: a second read goes to the table.
        await readItem(ctx.table, keys.post('pst_one'));
        return jsonResponse(200, {});
      },
      {
        auth: {
          table,
          scope: 'media:read',
          prefetch: () => ({
            withKey: [keys.post('pst_one')],
            withMembership: (caller, peek) => {
              expect(peek(keys.post('pst_one'))).toMatchObject({ title: 'one' });
              return [keys.user(caller.userId)];
            },
          }),
        },
      },
    );
    const response = await handler(event({ body: undefined }), context);
    expect(response.statusCode).toBe(200);
    expect(seen).toEqual([expect.objectContaining({ title: 'one' }), undefined]);

    const batches = ddbMock.commandCalls(BatchGetCommand).map((call) => {
      const request = Object.values(call.args[0].input.RequestItems ?? {})[0];
      return request?.Keys;
    });
    expect(batches).toEqual([
      [keys.apiKey(apiKey.keyId), keys.post('pst_one')],
      [keys.membership('ws_one', 'usr_one'), keys.user('usr_one')],
    ]);
    // Only the second read of the post reached the table on its own.
    expect(ddbMock.commandCalls(GetCommand).map((call) => call.args[0].input.Key)).toEqual([
      keys.post('pst_one'),
    ]);
  });

  it('starts the queries ahead with the membership read and hands each result out once', async () => {
    const started: unknown[] = [];
    const taken: unknown[] = [];
    const handler = apiHandler(
      async (_event, ctx) => {
        taken.push(await ctx.table.prefetched?.takeQuery?.('projects'));
        taken.push(ctx.table.prefetched?.takeQuery?.('projects'));
        return jsonResponse(200, {});
      },
      {
        auth: {
          table,
          scope: 'media:read',
          prefetch: () => ({
            queriesWithMembership: (caller) => [
              {
                id: 'projects',
                run: async (ctx) => {
                  // Its own reads go to the table, and the membership is still being read.
                  started.push(ctx.prefetched, ddbMock.commandCalls(BatchGetCommand).length);
                  return `projects of ${caller.workspaceId}`;
                },
              },
            ],
          }),
        },
      },
    );
    const response = await handler(event({ body: undefined }), context);
    expect(response.statusCode).toBe(200);
    expect(started).toEqual([undefined, 1]);
    expect(taken).toEqual(['projects of ws_one', undefined]);
  });
});
