/**
 * How every function is bundled, in one place: esbuild, ESM for Node.js 22, minified with linked
 * source maps, everything bundled (the AWS SDK v3 clients included, so each function ships only
 * the clients and commands it imports; tree-shaking drops the rest).
 *
 * The bundle smoke test (test/infra/bundles.test.ts) loads the very assets CDK produces with
 * these options, so what is tested is what is deployed.
 */
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Node.js version of the Lambda runtime, as esbuild spells it. */
export const NODE_TARGET = 'node22';

/**
 * Some CommonJS dependencies call `require` for Node built-ins; ESM bundles have no `require`,
 * so the bundle gets one. The alias avoids clashing with a bundled `createRequire` import.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __bundleCreateRequire } from 'node:module'; " +
  'const require = __bundleCreateRequire(import.meta.url);';

/** The bundle's file name inside the asset (esbuild writes `index.mjs` for ESM). */
export const BUNDLE_FILE = 'index.mjs';

export function bundlingOptions(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: NODE_TARGET,
    minify: true,
    sourceMap: true,
    // The maps only need file names and positions for stack traces; skip embedding sources.
    sourcesContent: false,
    // Prefer packages' ESM builds so tree-shaking works.
    mainFields: ['module', 'main'],
    banner: ESM_REQUIRE_BANNER,
    // Bundle everything: the runtime's SDK is not pinned to our versions, and bundling lets
    // tree-shaking keep only the clients each function uses.
    externalModules: [],
    // esbuild's warnings and errors only (no per-file size table on every synth).
    logLevel: LogLevel.WARNING,
    // No Docker here or in CI: esbuild is a devDependency and runs locally.
    forceDockerBundling: false,
  };
}
