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
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';

type Context = Record<string | symbol, unknown>;

/**
 * The runtime's multi-concurrency store, as Powertools reads it (`globalThis.awslambda
 * .InvokeStore`): one context per invocation, through AsyncLocalStorage. Our own instance,
 * installed over whatever is there: the package's shared instance may already exist unscoped
 * (the AWS SDK creates it on its first request), and Powertools reads the global on each call.
 */
class ScopedInvokeStore extends InvokeStoreBase {
  private readonly als = new AsyncLocalStorage<Context>();
  getContext(): Context | undefined {
    return this.als.getStore();
  }
  hasContext(): boolean {
    return this.als.getStore() !== undefined;
  }
  get<T = unknown>(key: string | symbol): T | undefined {
    return this.als.getStore()?.[key] as T | undefined;
  }
  set<T = unknown>(key: string | symbol, value: T): void {
    const store = this.als.getStore();
    if (!store) throw new Error('no invocation in progress');
    store[key] = value;
  }
  run<T>(context: Context, fn: () => T): T {
    return this.als.run(context, fn);
  }
}

let store: ScopedInvokeStore | undefined;

/** Turns scoping on for this process (idempotent); `runInvocation` calls it. */
export function enableInvocationScopes(): ScopedInvokeStore {
  // Any value turns Powertools' scoping on; it is not a limit here.
  if (!process.env.AWS_LAMBDA_MAX_CONCURRENCY) process.env.AWS_LAMBDA_MAX_CONCURRENCY = '64';
  store ??= new ScopedInvokeStore();
  const global = globalThis as { awslambda?: { InvokeStore?: unknown } };
  global.awslambda ??= {};
  global.awslambda.InvokeStore = store;
  return store;
}

/**
 * Runs `work` as its own invocation with the id `correlationId` (a fresh one by default):
 * whatever it logs carries that id, never another invocation's.
 */
export function runInvocation<T>(
  work: (correlationId: string) => Promise<T>,
  correlationId: string = randomUUID(),
): Promise<T> {
  return enableInvocationScopes().run(
    { [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: correlationId },
    () => work(correlationId),
  );
}
