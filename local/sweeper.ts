/**
 * The scheduled sweeps of the deployed service, run by the local stack on timers: the same
 * functions the `purge-sweep` and `orphan-sweep` Lambdas call, on the same kind of clients.
 * Locally the purge sweep also removes the files, the orphan sweep is followed by the full
 * storage reconciliation (`storage-reconciliation.ts`), a third sweep removes stale staged uploads
 * (the local S3 server has no lifecycle rules) and a fourth stands in for DynamoDB TTL
 * (`ttl-reaper.ts`: DynamoDB Local does not expire our items), so a deleted file disappears once its grace
 * period is over, and never while it is held.
 *
 * Safe to import before the environment is set: everything that reads it (`lib/config.ts`,
 * through the clients' modules) is loaded on the first run, like the handlers are.
 *
 * Each sweep runs again `intervalMs` after the previous run *finished*, so runs never overlap;
 * a failed run is reported through `onError` and the timer goes on. Each run is an invocation
 * of its own (`invocation-scope.ts`): its log lines carry its own `correlationId`, never the
 * request id of an HTTP request that happened to run before.
 */
import type { LifecycleDeps } from '../lib/attachments/stored-files.ts';
import type { ServiceConfig } from '../lib/config.ts';
import { runInvocation } from './invocation-scope.ts';

export interface LocalSweeperOptions {
  /** The stack's configuration (`loadConfig()` after the environment is set). */
  config: ServiceConfig;
  /** Purge sweep period. Default: half the grace period, between 1 s and 60 s. */
  intervalMs?: number;
  /** Orphan and staged-upload sweep period. Default 10 minutes. */
  orphanIntervalMs?: number;
  /** Clients to use instead of the ones built from `config` (tests). */
  deps?: LifecycleDeps;
  /** Default: one line on stderr. */
  onError?: (error: unknown, sweep: SweepName) => void;
}

export interface LocalSweeper {
  /** Runs both sweeps once now (waits for a run in progress first); for tests and tools. */
  runNow(): Promise<void>;
  /** Stops the timers and waits for a run in progress. Idempotent. */
  stop(): Promise<void>;
}

type SweepName = 'purge' | 'orphans' | 'staging' | 'ttl';

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Match the defaults of lib/config.ts (not imported: see above). */
const DEFAULT_ORPHAN_MIN_AGE_SECONDS = 3600;
const DEFAULT_UPLOAD_URL_SECONDS = 900;

/**
 * Entries a local sweep run takes at most (no Lambda clock bounds it): a backlog is worked
 * off over the next runs, and a run never holds the sweeper for long.
 */
const LOCAL_RUN_MAX_ITEMS = 1_000;

/** The sweeps and the clients, loaded on first use. */
async function loadSweeps(options: LocalSweeperOptions) {
  const [
    { purgeExpired },
    { sweepOrphans },
    { reconcileStorage },
    { lifecycleDepsFrom },
    { sweepStagedUploads },
    { stagingAreaFrom },
    { logger },
    { eventPublisherFrom },
    { reapExpired },
  ] = await Promise.all([
    import('../lib/attachments/lifecycle/purge-sweep.ts'),
    import('../lib/attachments/lifecycle/orphan-sweep.ts'),
    import('../lib/attachments/lifecycle/storage-reconciliation.ts'),
    import('../lib/attachments/stored-files.ts'),
    import('../lib/attachments/upload/upload-sessions.ts'),
    import('../lib/storage/staging.ts'),
    import('../lib/logger.ts'),
    import('../lib/events/publisher.ts'),
    import('./ttl-reaper.ts'),
  ]);
  const { config } = options;
  const deps = options.deps ?? lifecycleDepsFrom(config);
  return {
    logger,
    purge: () => purgeExpired(deps, { maxItems: LOCAL_RUN_MAX_ITEMS }),
    orphans: async () => {
      await sweepOrphans(deps, { maxItems: LOCAL_RUN_MAX_ITEMS });
      // Local data is small: the full reconciliation (optional on AWS) runs here too, and
      // repairs what no intent covers (a delete whose storage step failed).
      await reconcileStorage({
        ...deps,
        // Its `media.blob_missing` reports are not record changes: written directly.
        events: eventPublisherFrom(config),
        minAgeSeconds: config.orphanMinAgeSeconds ?? DEFAULT_ORPHAN_MIN_AGE_SECONDS,
      });
    },
    // DynamoDB Local does not expire our table's items by itself (see ttl-reaper.ts).
    ttl: () => reapExpired(deps.table),
    staging: () =>
      sweepStagedUploads({
        staging: stagingAreaFrom(config),
        uploadUrlSeconds: config.uploadUrlSeconds ?? DEFAULT_UPLOAD_URL_SECONDS,
      }),
  };
}

export function startLocalSweeper(options: LocalSweeperOptions): LocalSweeper {
  const { config } = options;
  const onError =
    options.onError ??
    ((error: unknown, sweep: string) =>
      process.stderr.write(`local sweeper: ${sweep} sweep failed: ${(error as Error).message}\n`));
  const purgeEvery =
    options.intervalMs ?? clamp((config.gracePeriodSeconds * 1000) / 2, 1_000, 60_000);
  const orphansEvery = options.orphanIntervalMs ?? 10 * 60_000;

  let sweeps: ReturnType<typeof loadSweeps> | undefined;

  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  /** One run at a time, across both sweeps: they act on the same objects. */
  let running: Promise<void> = Promise.resolve();

  const run = (name: SweepName): Promise<void> => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        sweeps ??= loadSweeps(options);
        const loaded = await sweeps;
        await runInvocation(async (correlationId) => {
          loaded.logger.appendKeys({ correlationId, trigger: `timer:${name}-sweep` });
          await loaded[name]();
        });
      } catch (error) {
        onError(error, name);
      }
    });
    return running;
  };

  const schedule = (name: SweepName, every: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void run(name).then(() => schedule(name, every));
    }, every);
    // The sweeper never keeps the process alive on its own.
    timer.unref();
    timers.add(timer);
  };
  schedule('purge', purgeEvery);
  schedule('orphans', orphansEvery);
  schedule('staging', orphansEvery);
  schedule('ttl', orphansEvery);

  return {
    runNow: async () => {
      await run('purge');
      await run('orphans');
      await run('staging');
      await run('ttl');
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await running;
    },
  };
}
