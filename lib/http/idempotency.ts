/**
 * `Idempotency-Key` on POST routes (media-api.md "integrator's conveniences"), built on
 * Powertools for AWS Lambda's idempotency utility with its DynamoDB persistence in the
 * service's single table (items `IDEMPOTENCY#<hash>`, removed by the table's TTL):
 *
 * - The key is scoped to the caller's API key: Powertools hashes `[apiKeyId, Idempotency-Key]`,
 *   so two callers' equal keys never meet. One prefix for every route, so a key is one request.
 * - The request it stands for (method, path, SHA-256 of the body) is the payload Powertools
 *   validates: the same key with another body, route or attachment → 422
 *   `idempotency_key_reused`.
 * - A completed request is replayed for 24 h: the stored status, headers and body, plus
 *   `Idempotent-Replayed: true`; the request id, rate-limit headers and logs are the new
 *   request's, because this wraps the route handler inside the Middy chain (Powertools' own
 *   Middy middleware returns replays early, past the chain's `after` steps).
 * - Only successes are stored. A request that fails (4xx or 5xx) releases its key, so the
 *   client can retry it with the same key.
 * - A duplicate that arrives while the first is still running waits for it (Powertools'
 *   conditional write lets only one run) and then replays its response, so concurrent
 *   duplicates produce one attachment and the same answer. If the first is still running
 *   after IN_PROGRESS_WAIT_MS (or close to this function's timeout), the duplicate gets 429
 *   with `Retry-After: 1`.
 */
import { createHash } from 'node:crypto';
import {
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import { tableDefinition } from '../db/table-definition.ts';
import { IdempotencyKeyReusedError, RateLimitedError, ValidationError } from '../errors.ts';
import type { ApiContext, ApiEvent, ApiResult } from './types.ts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** Long enough for an upload to finish; short of API Gateway's 30 s. */
const IN_PROGRESS_WAIT_MS = 20_000;
/** 1–255 visible ASCII characters (a UUID, or the IETF draft's quoted form). */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

type RouteHandler = (event: ApiEvent, context: ApiContext) => Promise<ApiResult>;

/** What Powertools hashes: `[apiKeyId, key]` names the record, `request` is validated. */
interface IdempotentCall {
  apiKeyId: string;
  key: string;
  request: string;
  run: () => Promise<ApiResult>;
}

/**
 * The single table, keyed as `lib/db/keys.ts` says. Powertools' composite-key mode would put
 * every record in one partition (`staticPkValue`), so the key builder is overridden instead.
 */
class TablePersistenceLayer extends DynamoDBPersistenceLayer {
  constructor(table: TableContext) {
    super({
      tableName: table.tableName,
      awsSdkV3Client: table.db,
      keyAttr: tableDefinition.partitionKey,
      // Epoch seconds, what the table's TTL reads.
      expiryAttr: tableDefinition.timeToLiveAttribute,
    });
  }

  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    const { PK, SK } = keys.idempotency(idempotencyKey);
    return { [tableDefinition.partitionKey]: { S: PK }, [tableDefinition.sortKey]: { S: SK } };
  }
}

const idempotencyConfig = new IdempotencyConfig({
  eventKeyJmesPath: '[apiKeyId, key]',
  payloadValidationJmesPath: 'request',
  expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  hashFunction: 'sha256',
  responseHook: (response) => {
    const result = response as ApiResult;
    return { ...result, headers: { ...result.headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' } };
  },
});

/**
 * Wraps a POST route's handler (inside `apiHandler`, which must authenticate: keys are per API
 * key): with an `Idempotency-Key` header it runs at most once. Imported by those routes only,
 * so the other functions' bundles carry none of Powertools idempotency.
 */
export function idempotent(table: TableContext, handler: RouteHandler): RouteHandler {
  let runOnce: ((call: IdempotentCall, context: Context) => Promise<ApiResult>) | undefined;
  return async (event, context) => {
    const key = idempotencyKeyOf(event);
    if (key === undefined) return handler(event, context);
    runOnce ??= makeIdempotent(async (call: IdempotentCall, _context: Context) => call.run(), {
      persistenceStore: new TablePersistenceLayer(table),
      config: idempotencyConfig,
      keyPrefix: 'media-api',
    });
    const call: IdempotentCall = {
      apiKeyId: context.caller.keyId,
      key,
      request: fingerprint(event),
      run: () => handler(event, context),
    };
    // Never waiting into this function's own timeout: the 429 must get out.
    const remaining = context.getRemainingTimeInMillis?.() ?? IN_PROGRESS_WAIT_MS;
    const deadline = Date.now() + Math.min(IN_PROGRESS_WAIT_MS, remaining - 2_000);
    for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
      try {
        return await runOnce(call, context);
      } catch (error) {
        if (error instanceof IdempotencyValidationError) {
          throw new IdempotencyKeyReusedError(
            'This Idempotency-Key was already used for a different request (another body, route ' +
              'or attachment). Use a new key for a new request.',
          );
        }
        if (!isInProgress(error)) throw error;
        if (Date.now() + pause > deadline) {
          context.responseHeaders = { ...context.responseHeaders, 'retry-after': '1' };
          throw new RateLimitedError(
            'A request with this Idempotency-Key is still in progress; retry it shortly.',
            1,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  };
}

function idempotencyKeyOf(event: ApiEvent): string | undefined {
  const value = event.headers?.[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  if (!VALID_KEY.test(value)) {
    throw ValidationError.forField(
      'Idempotency-Key',
      'Idempotency-Key must be 1–255 visible ASCII characters (for example a UUID).',
    );
  }
  return value;
}

/** The request a key stands for: method, path and the body's SHA-256 (bodies can be 67 MB). */
function fingerprint(event: ApiEvent): string {
  const hash = createHash('sha256')
    .update(event.body ?? '')
    .digest('hex');
  return `${event.requestContext.http.method} ${event.rawPath} ${hash}`;
}

function isInProgress(error: unknown): boolean {
  return error instanceof Error && error.name === 'IdempotencyAlreadyInProgressError';
}
