import { defineConfig } from 'vitest/config';

/**
 * Four projects: `unit` needs no services; `integration` runs against ONE local stack
 * (DynamoDB Local + s3rver + the API Gateway stand-in) that `test/support/global-setup.ts`
 * starts for the whole run; `gateway` runs the aws-mode storage path against ONE real S3
 * implementation, a Ceph gateway that `test/support/gateway-setup.ts` starts (skipped with a
 * one-line notice on a machine without the packages, a failure under CI=true); `infra`
 * synthesizes the CDK app (esbuild bundling included).
 * Handlers log through Powertools; SILENT keeps the output readable, and so does turning the
 * metrics' EMF lines off (test/unit/observability turns them on to read them).
 *
 * Timeouts are backstops that end a hung test, never time limits on work: the suite must pass
 * on a busy machine (two CPU-burning processes beside it included). Speed is measured by
 * `npm run bench`, not asserted here.
 */
const env = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  // The integration stack (global setup, main process) turns Powertools' invocation scopes on
  // (local/invocation-scope.ts); workers inherit the variable but have no InvokeStore.
  AWS_LAMBDA_MAX_CONCURRENCY: '',
};
const HANG_BACKSTOP = { testTimeout: 300_000, hookTimeout: 300_000 };

export default defineConfig({
  test: {
    // Two cores: more workers only make the JVM and the tests fight for CPU.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'client/test/unit/**/*.test.ts'],
          env,
          ...HANG_BACKSTOP,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'client/test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          env,
          ...HANG_BACKSTOP,
        },
      },
      {
        test: {
          name: 'gateway',
          include: ['test/gateway/**/*.test.ts'],
          globalSetup: ['test/support/gateway-setup.ts'],
          env,
          // Waits for the gateway's own lifecycle (seconds per lifecycle day, see the setup).
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          env,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
