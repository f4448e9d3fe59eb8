/**
 * One process runs every function under `npm start`: HTTP requests interleave with each other,
 * with the storage-event worker and with the sweep timers. On AWS each of those is its own
 * invocation, so a log line carries the id of the invocation that wrote it. Here they share
 * one Powertools logger, whose keys (`requestId`, …) would otherwise leak from whichever
 * request ran last into every later line, a timer's included.
 *
 * So each unit of work runs in its own invocation scope, the way the Lambda runtime runs
 * concurrent invocations of one environment: `AWS_LAMBDA_MAX_CONCURRENCY` set, and an
 * `InvokeStore` backed by AsyncLocalStorage. Powertools then keeps the keys a scope appends to
 * that scope (`InvocationScoped` in @aws-lambda-powertools/commons).
 */
import { randomUUID } from 'node:crypto';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

type Store = Awaited<ReturnType<typeof InvokeStore.getInstanceAsync>>;

let store: Promise<Store> | undefined;

/** Two overlapping scopes must each see their own value, or every log line could be wrong. */
async function assertScoped(candidate: Store): Promise<Store> {
  const probe = Symbol('probe');
  const read = (value: number) =>
    candidate.run({ [probe]: value }, async () => {
      await new Promise((done) => setImmediate(done));
      return candidate.get(probe);
    });
  const [first, second] = await Promise.all([read(1), read(2)]);
  if (first !== 1 || second !== 2) {
    throw new Error(
      'invocation scopes are shared: the InvokeStore was created before enableInvocationScopes()',
    );
  }
  return candidate;
}

/**
 * Turns scoping on for this process. Call it before the first AWS SDK request: the SDK's
 * recursion-detection middleware creates the process-wide InvokeStore on first use, unscoped
 * unless `AWS_LAMBDA_MAX_CONCURRENCY` is set by then. Idempotent.
 */
export function enableInvocationScopes(): Promise<Store> {
  // Any value turns Powertools' scoping on; it is not a limit here.
  if (!process.env.AWS_LAMBDA_MAX_CONCURRENCY) process.env.AWS_LAMBDA_MAX_CONCURRENCY = '64';
  store ??= InvokeStore.getInstanceAsync(true).then(assertScoped);
  return store;
}

/**
 * Runs `work` as its own invocation with the id `correlationId` (a fresh one by default):
 * whatever it logs carries that id, never another invocation's.
 */
export async function runInvocation<T>(
  work: (correlationId: string) => Promise<T>,
  correlationId: string = randomUUID(),
): Promise<T> {
  const invokeStore = await enableInvocationScopes();
  return invokeStore.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: correlationId }, () =>
    work(correlationId),
  );
}
