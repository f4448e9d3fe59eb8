/**
 * The Lambda side of the local stand-in: loading `functions/<name>/handler.ts`, the context
 * object handlers receive, and the integration timeout.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './api-gateway-event.ts';

/** What a `functions/<name>/handler.ts` exports as `handler`. */
export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => unknown;
export type HandlerLoader = (name: string) => Promise<LambdaHandler>;

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

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

export const TIMED_OUT = Symbol('timed out');

/** `TIMED_OUT` after `ms`; the promise itself cannot be cancelled and keeps running. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
