/**
 * How every function is bundled, in one place: esbuild, ESM for Node.js 22, minified with linked
 * source maps, everything bundled (the AWS SDK v3 clients included, so each function ships only
 * the clients and commands it imports; tree-shaking drops the rest) except packages with native
 * binaries, which are installed for the Lambda platform instead (`INSTALLED_PACKAGES`).
 *
 * The bundle smoke test (test/infra/bundles.test.ts) loads the very assets CDK produces with
 * these options, so what is tested is what is deployed.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  type BundlingOptions,
  Charset,
  LogLevel,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildOpenApiDocument } from '../lib/openapi/document.ts';
import { REFERENCE_PACKAGE_FILES } from '../lib/openapi/reference-page.ts';
import { UPLOAD_LIMIT_MARKER } from '../lib/openapi/served-document.ts';
import { PROJECT_ROOT } from './paths.ts';

/** Node.js version of the Lambda runtime, as esbuild spells it. */
export const NODE_TARGET = 'node22';

/**
 * Some CommonJS dependencies call `require` for Node built-ins; ESM bundles have no `require`,
 * so the bundle gets one. The alias avoids clashing with a bundled `createRequire` import.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __bundleCreateRequire } from 'node:module'; " +
  'const require = __bundleCreateRequire(import.meta.url);';

/**
 * Built-ins that bundled ESM code imports, replaced by CommonJS modules that return the same
 * built-in (`infra/stand-ins/`). An ESM `import … from 'node:http'` makes Node build the
 * module's ESM facade, which reads every export, and Node 22's `http.WebSocket` (and friends)
 * is a getter that loads undici: ≈ 10 ms of every cold start, for a WebSocket nothing uses
 * (Powertools Tracer imports `node:http` as ESM; the AWS SDK's CommonJS `require` does not pay
 * it). `process.getBuiltinModule` returns the module itself without a facade, and esbuild
 * leaves it alone, so the alias cannot point back at itself.
 */
export const BUILTIN_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  ['http', 'https'].flatMap((name) => {
    const file = path.join(PROJECT_ROOT, 'infra', 'stand-ins', `${name}.cjs`);
    return [
      [`node:${name}`, file],
      [name, file],
    ];
  }),
);

/**
 * Packages replaced by a small stand-in (also in `infra/stand-ins/`) because the code that
 * imports them is bundled but never runs. `semver` (≈ 28 KiB minified, ≈ 3–4 ms of every cold
 * start to compile and evaluate): the X-Ray SDK behind Powertools Tracer loads it eagerly for
 * one version check in its AWS SDK v2 patcher (`captureAWS`); the service traces v3 clients
 * (`captureAWSv3Client`). The stand-in throws if that patcher is ever called, and a test keeps
 * the X-Ray SDK's patcher the only importer in every bundle (test/infra/bundle-aliases.test.ts).
 */
export const STAND_IN_ALIASES: Readonly<Record<string, string>> = {
  semver: path.join(PROJECT_ROOT, 'infra', 'stand-ins', 'semver.cjs'),
};

/** The bundle's file name inside the asset (esbuild writes `index.mjs` for ESM). */
export const BUNDLE_FILE = 'index.mjs';

/**
 * Packages a function cannot have bundled, by function name: sharp loads libvips and its own
 * addon (`@img/sharp-<platform>`) from `node_modules` at run time, which esbuild cannot inline.
 * They stay external and CDK installs them into the asset's `node_modules` (`nodeModules`:
 * `npm ci` with the project's lock file, in the bundling directory) for the Lambda platform,
 * whatever the platform of the machine that synthesizes (`LAMBDA_PLATFORM_NPM_CONFIG`).
 *
 * Why not a Lambda layer built from `node_modules`: the project's own install holds only the
 * host's binaries (`@img/sharp-linux-x64` on an x64 machine), so a layer would need the same
 * cross-platform install anyway, plus a second artifact to version. The install needs the npm
 * registry (or an npm cache that already holds the arm64 packages) and takes a second or two.
 */
export const INSTALLED_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  // `@hyzyla/pdfium` (PDF thumbnails) has no native binary: it is installed rather than bundled
  // because `lib/media/pdf-render.ts` reads `pdfium.wasm` from the package's directory, which
  // esbuild would not copy; installed, it resolves from the bundle as it does in development.
  // `libheif-js` (HEIC thumbnails) has none either: its WebAssembly is embedded in 1.9 MiB of
  // JavaScript, which bundled would be read, parsed and source-mapped at every cold start
  // (≈ 20 ms, bench/README.md); installed, it is loaded by the first HEIC only.
  'process-media': ['sharp', '@hyzyla/pdfium', 'libheif-js'],
};

/**
 * The platform npm installs `INSTALLED_PACKAGES` for: Linux on arm64 with glibc, which is the
 * Lambda runtime (Amazon Linux 2023). sharp's optional dependencies declare `os`, `cpu` and
 * `libc`, so npm picks `@img/sharp-linux-arm64` and `@img/sharp-libvips-linux-arm64` from
 * them. (`npm_config_platform`/`npm_config_arch` are not npm settings: npm ignores them and
 * installs the host's binaries.)
 */
export const LAMBDA_PLATFORM_NPM_CONFIG = {
  npm_config_os: 'linux',
  npm_config_cpu: 'arm64',
  npm_config_libc: 'glibc',
} as const;

/**
 * Package files a function reads at run time (not code, so esbuild cannot bundle them), by
 * function name: copied next to the bundle, where the function looks for them first. The API
 * reference serves Swagger UI's script and stylesheet this way (no CDN).
 */
export const COPIED_FILES: Readonly<Record<string, readonly string[]>> = {
  'api-reference': Object.values(REFERENCE_PACKAGE_FILES),
};

/**
 * The OpenAPI description, built at bundling for the function that serves it
 * (`lib/openapi/served-document.ts`): gzip in base64 as a JavaScript string (≈ 25 KiB, well
 * within a command-line argument; the JSON itself is ≈ 200 KiB). Built once per synth.
 */
let bundledDocument: string | undefined;
function bundledOpenApiDocument(): string {
  bundledDocument ??= gzipSync(
    JSON.stringify(buildOpenApiDocument({ maxUploadBytes: UPLOAD_LIMIT_MARKER })),
    { level: 9 },
  ).toString('base64');
  return bundledDocument;
}

/** esbuild `define`s by function name: the values are JavaScript expressions. */
function definesOf(name: string | undefined): Record<string, string> | undefined {
  if (name !== 'api-reference') return undefined;
  return { BUNDLED_OPENAPI_DOCUMENT: JSON.stringify(bundledOpenApiDocument()) };
}

const requireFromProject = createRequire(import.meta.url);

function copyFilesHook(files: readonly string[]): BundlingOptions['commandHooks'] {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) =>
      files.map((file) => `cp "${requireFromProject.resolve(file)}" "${outputDir}/"`),
  };
}

/** The options for the function `name` (its `INSTALLED_PACKAGES`, if any). */
export function bundlingOptions(name?: string): BundlingOptions {
  const installed =
    name !== undefined && Object.hasOwn(INSTALLED_PACKAGES, name)
      ? (INSTALLED_PACKAGES[name] ?? [])
      : [];
  return {
    format: OutputFormat.ESM,
    target: NODE_TARGET,
    minify: true,
    sourceMap: true,
    // The maps only need file names and positions for stack traces; skip embedding sources.
    sourcesContent: false,
    // Prefer packages' ESM builds so tree-shaking works.
    mainFields: ['module', 'main'],
    // Non-ASCII text (messages with '…', '—', '×') as UTF-8, not \uXXXX escapes: fewer bytes
    // to ship and parse; Node reads the bundle as UTF-8.
    charset: Charset.UTF8,
    banner: ESM_REQUIRE_BANNER,
    esbuildArgs: {
      '--alias': Object.entries({ ...BUILTIN_ALIASES, ...STAND_IN_ALIASES }).map(
        ([name, file]) => `${name}=${file}`,
      ),
    },
    // Bundle everything (but `INSTALLED_PACKAGES`): the runtime's SDK is not pinned to our
    // versions, and bundling lets tree-shaking keep only the clients each function uses.
    externalModules: [],
    // esbuild's warnings and errors only (no per-file size table on every synth).
    logLevel: LogLevel.WARNING,
    // No Docker here or in CI: esbuild is a devDependency and runs locally.
    forceDockerBundling: false,
    ...(definesOf(name) ? { define: definesOf(name) } : {}),
    ...(Object.hasOwn(COPIED_FILES, name ?? '')
      ? { commandHooks: copyFilesHook(COPIED_FILES[name as string] ?? []) }
      : {}),
    ...(installed.length > 0
      ? {
          // Left out of the bundle (CDK adds them to esbuild's externals) and installed instead.
          nodeModules: [...installed],
          // The environment of the bundling commands, `npm ci` included.
          environment: { ...LAMBDA_PLATFORM_NPM_CONFIG },
          // CDK hands the level to `npm ci --loglevel` too, and npm knows no "warning" (it
          // would warn about it on every synth); "error" is a level both esbuild and npm know.
          logLevel: LogLevel.ERROR,
        }
      : {}),
  };
}
