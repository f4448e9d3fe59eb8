/**
 * Builds Lambda bundles the way the CDK construct does: the esbuild options come from
 * `infra/bundling.ts` (imported, never copied) and are translated to esbuild's JS API the way
 * aws-cdk-lib's `Bundling.buildEsbuildArgs` turns them into CLI flags (`--bundle`,
 * `--platform=node`, `--outfile=<out>/index.mjs`, …). An option this translation does not know
 * fails the build instead of being silently dropped, so the benchmark cannot drift from what
 * `cdk deploy` ships. A function's own options count too: its installed packages
 * (`nodeModules`) stay external and are linked next to the bundle from the project's
 * `node_modules` (where CDK runs `npm ci` in the asset), and its `afterBundling` commands (files
 * copied next to the bundle) run as CDK runs them, in a shell.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { BUNDLE_FILE, bundlingOptions } from '../../infra/bundling.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';

/** Options with no effect on the produced JavaScript (Docker, hashing, esbuild version). */
const NO_OUTPUT_EFFECT = new Set([
  'forceDockerBundling',
  'assetHash',
  'bundlingFileAccess',
  // The environment of CDK's bundling commands (npm's target platform for `nodeModules`).
  'environment',
]);

const TRANSLATED = new Set([
  'format',
  'target',
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'mainFields',
  'banner',
  'footer',
  'externalModules',
  'logLevel',
  'keepNames',
  'define',
  'loader',
  'inject',
  'nodeModules',
  // Run by `buildBundle` after esbuild (only `afterBundling` may produce anything).
  'commandHooks',
  'charset',
  // Only `--alias` (see esbuildAliases).
  'esbuildArgs',
]);

/** esbuild JS-API options equivalent to CDK's CLI invocation for `options`. */
export function esbuildOptionsFrom(options: BundlingOptions): BuildOptions {
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || NO_OUTPUT_EFFECT.has(name) || TRANSLATED.has(name)) continue;
    throw new Error(
      `bench/lib/bundle.ts: bundling option "${name}" is not translated for the benchmark yet`,
    );
  }
  if (options.forceDockerBundling) throw new Error('Docker bundling is not benchmarked');
  const mode = options.sourceMapMode;
  const sourcemap: BuildOptions['sourcemap'] =
    (mode ?? options.sourceMap)
      ? mode === undefined || mode === 'default'
        ? true
        : (mode as 'external' | 'inline' | 'both')
      : false;
  return {
    bundle: true,
    platform: 'node',
    ...(options.format ? { format: options.format as 'esm' | 'cjs' } : {}),
    ...(options.target ? { target: options.target } : {}),
    minify: options.minify ?? false,
    sourcemap,
    ...(options.sourcesContent === false ? { sourcesContent: false } : {}),
    // CDK's default for Node.js 18+ runtimes is to leave the runtime's SDK external; installed
    // packages are external too (CDK adds them to esbuild's externals).
    external: [...(options.externalModules ?? ['@aws-sdk/*']), ...(options.nodeModules ?? [])],
    ...(options.loader ? { loader: options.loader as BuildOptions['loader'] } : {}),
    ...(options.define ? { define: options.define } : {}),
    ...(options.logLevel ? { logLevel: options.logLevel as BuildOptions['logLevel'] } : {}),
    ...(options.keepNames ? { keepNames: true } : {}),
    ...(options.charset ? { charset: options.charset as BuildOptions['charset'] } : {}),
    ...(options.banner ? { banner: { js: options.banner } } : {}),
    ...(options.footer ? { footer: { js: options.footer } } : {}),
    ...(options.mainFields ? { mainFields: options.mainFields } : {}),
    ...(options.inject ? { inject: options.inject } : {}),
    ...(options.esbuildArgs ? { alias: esbuildAliases(options.esbuildArgs) } : {}),
  };
}

/** `esbuildArgs: { '--alias': ['from=to', …] }` as esbuild's `alias`; any other flag fails. */
function esbuildAliases(args: NonNullable<BundlingOptions['esbuildArgs']>): Record<string, string> {
  const alias: Record<string, string> = {};
  for (const [flag, value] of Object.entries(args)) {
    if (flag !== '--alias' || !Array.isArray(value)) {
      throw new Error(`bench/lib/bundle.ts: esbuild flag "${flag}" is not translated yet`);
    }
    for (const entry of value) {
      const at = entry.indexOf('=');
      alias[entry.slice(0, at)] = entry.slice(at + 1);
    }
  }
  return alias;
}

export interface BuiltBundle {
  /** Absolute path of `index.mjs`. */
  file: string;
  rawBytes: number;
  gzipBytes: number;
  /** Packages (node_modules roots) that ended up in the bundle. */
  packages: string[];
  /** Minified bytes per package (project code as `(project)`), largest first. */
  contributors: Array<{ name: string; bytes: number }>;
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1] ?? '(project)';
}

function contributorsOf(metafile: Metafile): Array<{ name: string; bytes: number }> {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      bytes.set(name, (bytes.get(name) ?? 0) + info.bytesInOutput);
    }
  }
  return [...bytes]
    .map(([name, size]) => ({ name, bytes: size }))
    .sort((a, b) => b.bytes - a.bytes);
}

function packagesOf(metafile: Metafile): string[] {
  const found = new Set(Object.keys(metafile.inputs).map(packageOf));
  found.delete('(project)');
  return [...found].sort();
}

/** What CDK adds to the asset after esbuild: installed packages and `afterBundling` output. */
async function completeAsset(options: BundlingOptions, outDir: string): Promise<void> {
  for (const name of options.nodeModules ?? []) {
    // Linked, not copied: Node resolves the package's own dependencies from its real path.
    const link = join(outDir, 'node_modules', name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(PROJECT_ROOT, 'node_modules', name), link, 'dir');
  }
  for (const command of options.commandHooks?.afterBundling(PROJECT_ROOT, outDir) ?? []) {
    execFileSync('sh', ['-c', command], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  }
}

/**
 * Bundles an entry into `outDir/index.mjs`: a file (absolute, or relative to the project root)
 * or generated source (`{ contents }`, resolved from the project root), with the options of
 * the function `functionName` (the shared ones when absent).
 */
export async function buildBundle(
  entry: string | { contents: string },
  outDir: string,
  functionName?: string,
): Promise<BuiltBundle> {
  const options = bundlingOptions(functionName);
  const result = await build({
    ...esbuildOptionsFrom(options),
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : {
          stdin: {
            contents: entry.contents,
            resolveDir: PROJECT_ROOT,
            sourcefile: 'floor.mjs',
            loader: 'js' as const,
          },
        }),
    absWorkingDir: PROJECT_ROOT,
    outfile: join(outDir, BUNDLE_FILE),
    write: true,
    metafile: true,
  });
  await completeAsset(options, outDir);
  const file = join(outDir, BUNDLE_FILE);
  const code = await readFile(file);
  return {
    file,
    rawBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    packages: packagesOf(result.metafile),
    contributors: contributorsOf(result.metafile),
  };
}
