/**
 * Helpers for integration tests (they run in Vitest workers; the stack runs in the global
 * setup process). Use `testTable()` to seed data with the `lib/directory` functions, `api()` to
 * call the API the way a client would.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import type { ServiceConfig } from '../../lib/config.ts';
import { createTableContext, LOCAL_CREDENTIALS, type TableContext } from '../../lib/db/client.ts';
import { createS3Client } from '../../lib/storage/s3-client.ts';
import { ResponseValidator } from './openapi-validator.ts';

export function apiUrl(): string {
  return inject('apiUrl');
}

/** The settings the stack's handlers run with, pointed at the same local stores. */
export function testConfig(): ServiceConfig {
  return {
    tableName: inject('tableName'),
    bucketName: inject('bucketName'),
    maxUploadBytes: inject('maxUploadBytes'),
    gracePeriodSeconds: inject('gracePeriodSeconds'),
    dynamoEndpoint: inject('dynamoEndpoint'),
    s3Endpoint: inject('s3Endpoint'),
    s3Credentials: LOCAL_CREDENTIALS,
    region: 'us-east-1',
  };
}

let table: TableContext | undefined;
let s3: S3Client | undefined;

/** A DynamoDB document client on the stack's table (LOCAL_CREDENTIALS), shared per worker. */
export function testTable(): TableContext {
  table ??= createTableContext(testConfig());
  return table;
}

/** An S3 client on the stack's bucket (`testConfig().bucketName`). */
export function testS3(): S3Client {
  s3 ??= createS3Client(testConfig());
  return s3;
}

export interface ApiOptions {
  method?: string;
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string;
  /** Objects are sent as JSON; strings, Buffers and Uint8Arrays as they are. */
  body?: unknown;
  /** Sent byte for byte, with `content-type: application/json` unless `headers` say otherwise. */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  /** `manual` to see a redirect instead of following it. */
  redirect?: 'follow' | 'manual' | 'error';
  /** Another API than the run's stack (e.g. one started with other settings). */
  baseUrl?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: T;
  text: string;
  /** The body's bytes. */
  raw: Uint8Array;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
export async function api<T = any>(
  path: string,
  options: ApiOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | Uint8Array | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (typeof options.body === 'string' || options.body instanceof Uint8Array) {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  const response = await fetch(`${options.baseUrl ?? apiUrl()}${path}`, {
    method,
    headers,
    body,
    redirect: options.redirect ?? 'follow',
  });
  const raw = new Uint8Array(await response.arrayBuffer());
  const text = Buffer.from(raw).toString('utf8');
  let json: T = undefined as T;
  try {
    json = JSON.parse(text) as T;
  } catch {
    // not JSON
  }
  // Every answer of the API (not of storage, after a followed redirect) must be described.
  if (!response.redirected) {
    const problems = responseValidator().check(
      { method, path },
      { status: response.status, headers: response.headers, text },
    );
    if (problems.length > 0) {
      throw new Error(`response does not match the OpenAPI description:\n${problems.join('\n')}`);
    }
  }
  return { status: response.status, headers: response.headers, json, text, raw };
}

let validator: ResponseValidator | undefined;

function responseValidator(): ResponseValidator {
  validator ??= ResponseValidator.forMaxUploadBytes(inject('maxUploadBytes'));
  return validator;
}
