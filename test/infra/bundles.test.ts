/**
 * Bundle smoke test: synthesize the stack WITH bundling (CDK runs esbuild with the options of
 * infra/bundling.ts), copy each function's asset out of the project (so nothing can be resolved
 * from node_modules), load it in a fresh `node` process and invoke `handler` once with a minimal
 * API Gateway payload-2.0 event. Catches dynamic requires, missing files, unbundled packages and
 * ESM/CJS mistakes: exactly the asset that `cdk deploy` uploads is what runs here.
 *
 * The stores are pointed at a closed localhost port: any JSON response with a status code is a
 * pass (health answers 503, authenticated routes 401); an import or require error is a failure.
 *
 * process-media ships sharp installed for Linux arm64 (the Lambda platform), which this host may
 * not be able to load: its asset is checked for exactly those packages, and it is loaded here
 * with the host's own sharp binaries added to a copy of it (everything else as deployed).
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { CfnElement } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, routes, UNMATCHED_ROUTE_FUNCTION } from '../../functions/routes.ts';
import { BUILTIN_ALIASES, BUNDLE_FILE, INSTALLED_PACKAGES } from '../../infra/bundling.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';
import { buildOpenApiDocument } from '../../lib/openapi/document.ts';
import { mediaFixturePath } from '../support/media-fixtures.ts';
import { objectCreatedEvent } from '../support/storage-events.ts';
import { type CfnResource, removeAssemblies, synthStack } from './synth.ts';

const run = promisify(execFile);

/** An EventBridge scheduled event, as the sweeps' rules deliver it. */
const scheduledEvent = (rule: string) => ({
  version: '0',
  id: `smoke-${rule}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: new Date(0).toISOString(),
  region: 'us-east-1',
  resources: [`arn:aws:events:us-east-1:123456789012:rule/${rule}`],
  detail: {},
});

/** Sample events for functions without a route (processing, sweeps). */
const WORKER_EVENTS: Record<string, unknown> = {
  'purge-sweep': scheduledEvent('purge-sweep'),
  'orphan-sweep': scheduledEvent('orphan-sweep'),
  // BUCKET_NAME is a token, replaced by `smoke-bucket_name` (see environmentOf).
  'process-media': objectCreatedEvent('smoke-bucket_name', 'uploads/2026/01/01/smoke.png'),
  // A change without events (not an attachment): runs the whole path without calling the bus.
  'stream-events': {
    Records: [
      {
        eventID: 'smoke-1',
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        dynamodb: {
          ApproximateCreationDateTime: 1_774_000_000,
          Keys: { PK: { S: 'POST#pst_smoke' }, SK: { S: 'POST' } },
          NewImage: { PK: { S: 'POST#pst_smoke' }, SK: { S: 'POST' } },
          SequenceNumber: '000000000000000000001',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ],
  },
};

/** Every function: the routes', the `$default` route's and the workers'. */
const ALL_FUNCTIONS: string[] = [
  ...new Set([
    ...routes.map((r) => r.name as string),
    UNMATCHED_ROUTE_FUNCTION,
    ...Object.keys(WORKER_EVENTS),
  ]),
];

/** Packages installed (not bundled) into a function's asset. */
const installedOf = (name: string): readonly string[] =>
  Object.hasOwn(INSTALLED_PACKAGES, name) ? (INSTALLED_PACKAGES[name] ?? []) : [];

let synth: ReturnType<typeof synthStack>;
let sandbox: string;
let closedPort: number;

beforeAll(async () => {
  synth = synthStack({ bundle: true, service: { stageName: 'dev' } });
  sandbox = mkdtempSync(path.join(tmpdir(), 'media-bundles-'));
  writeFileSync(path.join(sandbox, 'run.mjs'), RUNNER);
  closedPort = await freePort();
  // esbuild for every function: minutes when the machine is shared, not a hang.
}, 600_000);

afterAll(() => {
  if (sandbox) rmSync(sandbox, { recursive: true, force: true });
  removeAssemblies();
});

const names = () => [...synth.stack.service.functions.keys()];

/** The directory of the function's asset, as CDK wrote it. */
function assetDir(name: string): string {
  const fn = synth.stack.service.functions.get(name);
  const asset = fn?.function.node.findChild('Code') as Asset;
  return path.join(synth.app.outdir, asset.assetPath);
}

/** The function's bundle, copied into its own directory outside the project. */
function isolatedBundle(name: string): string {
  const dir = path.join(sandbox, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(assetDir(name), dir, { recursive: true });
  if (installedOf(name).includes('sharp')) addHostSharpBinaries(dir);
  return path.join(dir, BUNDLE_FILE);
}

/**
 * The asset holds sharp's Linux arm64 binaries; this host loads its own. Adds the host's
 * `@img/sharp-*` packages from the project's install beside them: sharp picks the one for the
 * platform it runs on, so the rest of the asset (sharp's JS, the bundle) loads as deployed.
 */
function addHostSharpBinaries(dir: string): void {
  const hostImg = path.join(PROJECT_ROOT, 'node_modules', '@img');
  for (const pkg of readdirSync(hostImg).filter((p) => p.startsWith('sharp-'))) {
    const target = path.join(dir, 'node_modules', '@img', pkg);
    if (!existsSync(target)) cpSync(path.join(hostImg, pkg), target, { recursive: true });
  }
}

/** `e_machine` of an ELF file: 0xB7 is AArch64, 0x3E is x86-64. */
function elfMachine(file: string): number {
  const header = readFileSync(file).subarray(0, 20);
  expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  return header.readUInt16LE(18);
}

/** The deployed environment of the function, with tokens replaced by stand-ins. */
function environmentOf(name: string): Record<string, string> {
  const fn = synth.stack.service.functions.get(name);
  const id = synth.stack.getLogicalId(fn?.function.node.defaultChild as CfnElement);
  const vars = (synth.json.Resources[id] as CfnResource).Properties.Environment.Variables as Record<
    string,
    unknown
  >;
  return Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : `smoke-${k.toLowerCase()}`,
    ]),
  );
}

function eventFor(route: RouteDefinition) {
  const rawPath = route.path
    .replace('{proxy+}', '2026/01/01/smoke.png')
    .replace(/\{(\w+)\}/g, (_m, p: string) => `smoke-${p}`);
  const pathParameters = Object.fromEntries(
    [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => [
      m[1],
      m[1] === 'proxy' ? '2026/01/01/smoke.png' : `smoke-${m[1]}`,
    ]),
  );
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath,
    rawQueryString: '',
    headers: {
      host: 'smoke.test',
      'user-agent': 'bundle-smoke',
      'content-type': 'application/json',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'smoke',
      domainName: 'smoke.test',
      domainPrefix: 'smoke',
      http: {
        method: route.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bundle-smoke',
      },
      requestId: `smoke-${route.name}`,
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(route.method === 'POST' || route.method === 'PUT' ? { body: '{}' } : {}),
    isBase64Encoded: false,
  };
}

interface Outcome {
  ok: boolean;
  phase: 'import' | 'invoke' | 'done';
  result?: { statusCode?: unknown; body?: unknown; headers?: Record<string, string> };
  error?: string;
}

async function invoke(name: string, event: unknown): Promise<Outcome> {
  const bundle = isolatedBundle(name);
  const endpoint = `http://127.0.0.1:${closedPort}`;
  const { stdout } = await run(process.execPath, [path.join(sandbox, 'run.mjs'), bundle], {
    cwd: path.dirname(bundle),
    timeout: 120_000,
    env: {
      // A clean Lambda-like environment: nothing inherited from the test runner.
      PATH: process.env.PATH ?? '',
      ...environmentOf(name),
      SMOKE_EVENT: JSON.stringify(event),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'smoke',
      AWS_SECRET_ACCESS_KEY: 'smoke',
      AWS_MAX_ATTEMPTS: '1',
      AWS_LAMBDA_FUNCTION_NAME: name,
      DYNAMODB_ENDPOINT: endpoint,
      S3_ENDPOINT: endpoint,
    },
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => ({
    stdout: error.stdout ?? '',
    stderr: error.stderr ?? error.message,
  }));
  const marker = stdout.lastIndexOf(RESULT_MARKER);
  if (marker < 0) return { ok: false, phase: 'import', error: `no result; stdout: ${stdout}` };
  return JSON.parse(stdout.slice(marker + RESULT_MARKER.length)) as Outcome;
}

describe('bundles', () => {
  it('builds one bundle per function', () => {
    expect(names().length).toBeGreaterThan(0);
    const routeNames = new Set<string>(routes.map((r) => r.name));
    for (const name of names()) {
      const sampled =
        routeNames.has(name) || name === UNMATCHED_ROUTE_FUNCTION || name in WORKER_EVENTS;
      expect(sampled, `sample event for ${name}`).toBe(true);
    }
  });

  it.each(ALL_FUNCTIONS)(
    '%s: an ESM bundle with source map that imports only Node built-ins (and installed packages)',
    async (name) => {
      const bundle = isolatedBundle(name);
      expect(existsSync(`${bundle}.map`)).toBe(true);
      // Let esbuild list what the bundle still imports (static and literal dynamic imports).
      const { metafile } = await build({
        entryPoints: [bundle],
        bundle: true,
        write: false,
        platform: 'node',
        format: 'esm',
        external: ['*'],
        metafile: true,
        logLevel: 'silent',
      });
      const imports = Object.values(metafile.inputs).flatMap((input) => input.imports);
      const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
      // An installed package, or a file of one (`libheif-js/wasm-bundle`).
      const installed = (p: string) =>
        installedOf(name).some((pkg) => p === pkg || p.startsWith(`${pkg}/`));
      expect(imports.map((i) => i.path).filter((p) => !builtins.has(p) && !installed(p))).toEqual(
        [],
      );
      // No ESM import of an aliased built-in (its facade would load undici: BUILTIN_ALIASES).
      expect(
        imports.filter((i) => i.kind === 'import-statement' && i.path in BUILTIN_ALIASES),
      ).toEqual([]);
      // Installed packages are imported at run time, never bundled (sharp cannot be).
      for (const pkg of installedOf(name)) {
        expect(imports.some((i) => i.path === pkg || i.path.startsWith(`${pkg}/`))).toBe(true);
      }
      // Only functions with installed packages ship a node_modules.
      expect(existsSync(path.join(assetDir(name), 'node_modules'))).toBe(
        installedOf(name).length > 0,
      );
      // Source maps point at our sources (stack traces stay readable), without embedding them.
      const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown;
      };
      expect(map.sources.some((s) => s.endsWith(`functions/${name}/handler.ts`))).toBe(true);
      expect(map.sourcesContent).toBeUndefined();
    },
  );

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: loads in a fresh node process and answers with a status code (JSON unless HEAD or a page)',
    async (_key, route) => {
      const outcome = await invoke(route.name, eventFor(route));
      expect(outcome.error ?? '').not.toMatch(
        /Dynamic require|Cannot find (module|package)|ERR_MODULE_NOT_FOUND/,
      );
      expect(outcome, outcome.error).toMatchObject({ ok: true, phase: 'done' });
      expect(typeof outcome.result?.statusCode).toBe('number');
      const headers = (outcome.result as { headers?: Record<string, string> }).headers ?? {};
      if (route.method === 'HEAD') expect(outcome.result?.body).toBe('');
      else if (headers['content-type']?.startsWith('application/json')) {
        expect(() => JSON.parse(String(outcome.result?.body))).not.toThrow();
      } else expect(route.path).toBe('/docs');
    },
    40_000,
  );

  it('api-reference: serves the description built at bundling, the same as the code builds', async () => {
    const route = routes.find((r) => r.path === '/openapi.json') as RouteDefinition;
    const outcome = await invoke(route.name, eventFor(route));
    expect(outcome, outcome.error).toMatchObject({ ok: true, phase: 'done' });
    const served = JSON.parse(String(outcome.result?.body)) as {
      components: { schemas: { Attachment: { properties: { fileSize: { maximum: number } } } } };
    };
    const maxUploadBytes = served.components.schemas.Attachment.properties.fileSize.maximum;
    expect(served).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument({ maxUploadBytes }))));
  }, 40_000);

  it('api-reference: serves the renderer files copied next to its bundle', async () => {
    const route = routes.find((r) => r.path === '/docs/{asset}') as RouteDefinition;
    const event = {
      ...eventFor(route),
      // The stylesheet (the script is larger than the runner's output buffer); both are copied
      // the same way (COPIED_FILES).
      rawPath: '/docs/swagger-ui.css',
      pathParameters: { asset: 'swagger-ui.css' },
    };
    const outcome = await invoke(route.name, event);
    expect(outcome, outcome.error).toMatchObject({ ok: true, phase: 'done' });
    expect(outcome.result?.statusCode).toBe(200);
    expect(String(outcome.result?.body)).toContain('.swagger-ui');
    expect(readdirSync(assetDir(route.name)).sort()).toEqual(
      expect.arrayContaining(['swagger-ui-bundle.js', 'swagger-ui.css']),
    );
  }, 40_000);

  it('process-media: sharp installed for Linux arm64 with glibc (the Lambda runtime), nothing else', () => {
    expect(installedOf('process-media')).toEqual(['sharp', '@hyzyla/pdfium', 'libheif-js']);
    const modules = path.join(assetDir('process-media'), 'node_modules');
    const version = (dir: string) =>
      (
        JSON.parse(readFileSync(path.join(modules, dir, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    const projectSharp = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'sharp', 'package.json'), 'utf8'),
    ) as { version: string; optionalDependencies: Record<string, string> };
    expect(version('sharp')).toBe(projectSharp.version);
    // Exactly the arm64 glibc binaries: no x64, no musl, no other platform.
    const platformPackages = readdirSync(path.join(modules, '@img')).filter((p) =>
      p.startsWith('sharp-'),
    );
    expect(platformPackages.sort()).toEqual(['sharp-libvips-linux-arm64', 'sharp-linux-arm64']);
    for (const pkg of platformPackages) {
      expect(version(`@img/${pkg}`)).toBe(projectSharp.optionalDependencies[`@img/${pkg}`]);
    }
    const addon = readdirSync(path.join(modules, '@img', 'sharp-linux-arm64', 'lib')).find((f) =>
      f.endsWith('.node'),
    );
    expect(addon).toBeDefined();
    expect(
      elfMachine(path.join(modules, '@img', 'sharp-linux-arm64', 'lib', addon as string)),
    ).toBe(0xb7);
    const libvips = readdirSync(
      path.join(modules, '@img', 'sharp-libvips-linux-arm64', 'lib'),
    ).find((f) => f.startsWith('libvips-cpp.so'));
    expect(libvips).toBeDefined();
    expect(
      elfMachine(path.join(modules, '@img', 'sharp-libvips-linux-arm64', 'lib', libvips as string)),
    ).toBe(0xb7);
  });

  it('process-media: PDFium in WebAssembly, resolved from the bundle, renders a PDF', async () => {
    const modules = path.join(assetDir('process-media'), 'node_modules');
    const projectPdfium = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'node_modules/@hyzyla/pdfium/package.json'), 'utf8'),
    ) as { version: string };
    const installed = JSON.parse(
      readFileSync(path.join(modules, '@hyzyla/pdfium/package.json'), 'utf8'),
    ) as { version: string };
    expect(installed.version).toBe(projectPdfium.version);
    // WebAssembly, no native code: the same file on every platform.
    const wasm = readFileSync(path.join(modules, '@hyzyla/pdfium/dist/pdfium.wasm'));
    expect(wasm.subarray(0, 4).toString('latin1')).toBe('\0asm');
    expect(readdirSync(path.join(modules, '@hyzyla'))).toEqual(['pdfium']);
    // What lib/media/pdf-render.ts does, from the bundle's own location in an isolated copy.
    const bundle = isolatedBundle('process-media');
    const script = path.join(path.dirname(bundle), 'render-check.mjs');
    writeFileSync(script, PDFIUM_CHECK);
    const pdf = mediaFixturePath('document-1page.pdf');
    const { stdout } = await run(process.execPath, [script, pdf], {
      cwd: path.dirname(bundle),
      env: { PATH: process.env.PATH ?? '' },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ width: 200, height: 100, bytes: 200 * 100 * 4 });
  });

  it('process-media: libheif in WebAssembly, installed, loads from the bundle', async () => {
    const modules = path.join(assetDir('process-media'), 'node_modules');
    const versionIn = (root: string) =>
      (
        JSON.parse(readFileSync(path.join(root, 'libheif-js/package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    expect(versionIn(modules)).toBe(versionIn(path.join(PROJECT_ROOT, 'node_modules')));
    // What lib/media/heic-decode.ts imports, from the bundle's own location in an isolated copy.
    const bundle = isolatedBundle('process-media');
    const script = path.join(path.dirname(bundle), 'heif-check.mjs');
    writeFileSync(script, HEIF_CHECK);
    const { stdout } = await run(process.execPath, [script], {
      cwd: path.dirname(bundle),
      env: { PATH: process.env.PATH ?? '' },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ decoder: 'function' });
  });

  it('unmatched-route: loads in a fresh node process and answers a $default request (405 + Allow)', async () => {
    // What API Gateway sends to `$default` for PUT /api/v1/media (a path of GET and POST).
    const event = eventFor({
      name: UNMATCHED_ROUTE_FUNCTION,
      method: 'PUT',
      path: '/api/v1/media',
    });
    event.routeKey = '$default';
    event.requestContext.routeKey = '$default';
    const outcome = await invoke(UNMATCHED_ROUTE_FUNCTION, event);
    expect(outcome, outcome.error).toMatchObject({ ok: true, phase: 'done' });
    expect(outcome.result?.statusCode).toBe(405);
    expect(outcome.result?.headers?.allow).toBe('GET, POST');
    expect(outcome.result?.headers?.['x-request-id']).toBe(event.requestContext.requestId);
    expect(JSON.parse(String(outcome.result?.body))).toMatchObject({
      error: { code: 'method_not_allowed' },
    });
  }, 40_000);

  for (const [name, event] of Object.entries(WORKER_EVENTS)) {
    it(`${name}: loads in a fresh node process and handles one event`, async () => {
      const outcome = await invoke(name, event);
      // Workers may fail on the unreachable stores; they must not fail to load.
      expect(outcome.phase, outcome.error).not.toBe('import');
      expect(outcome.error ?? '').not.toMatch(
        /Dynamic require|Cannot find (module|package)|ERR_MODULE_NOT_FOUND/,
      );
    });
  }
});

const RESULT_MARKER = '\n@@smoke-result@@';

/** Runs in the child: import the bundle, call `handler` once, print the outcome after a marker. */
const RUNNER = `
import { pathToFileURL } from 'node:url';
const marker = ${JSON.stringify(RESULT_MARKER)};
const report = (outcome) => { process.stdout.write(marker + JSON.stringify(outcome), () => process.exit(0)); };
let phase = 'import';
try {
  const mod = await import(pathToFileURL(process.argv[2]).href);
  if (typeof mod.handler !== 'function') throw new Error('the bundle exports no handler function');
  phase = 'invoke';
  const deadline = Date.now() + 10_000;
  const context = {
    awsRequestId: 'smoke-request', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST', memoryLimitInMB: '256', callbackWaitsForEmptyEventLoop: true,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:smoke',
    logGroupName: '/aws/lambda/smoke', logStreamName: 'smoke',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {}, fail() {}, succeed() {},
  };
  const result = await mod.handler(JSON.parse(process.env.SMOKE_EVENT), context);
  report({ ok: true, phase: 'done', result });
} catch (error) {
  report({ ok: false, phase, error: String(error && error.stack || error) });
}
`;

/**
 * Runs beside the bundle (`index.mjs`): resolves `pdfium.wasm` and imports `@hyzyla/pdfium` the
 * way lib/media/pdf-render.ts does from inside the bundle, and renders page 1 of a PDF.
 */
const PDFIUM_CHECK = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const bundle = new URL('./${BUNDLE_FILE}', import.meta.url);
const wasm = readFileSync(createRequire(bundle).resolve('@hyzyla/pdfium/pdfium.wasm'));
const module = await WebAssembly.compile(wasm);
const { PDFiumLibrary } = await import(createRequire(bundle).resolve('@hyzyla/pdfium'));
const library = await PDFiumLibrary.init({
  instantiateWasm: (imports, receive) => {
    const instance = new WebAssembly.Instance(module, imports);
    receive(instance);
    return instance.exports;
  },
});
const document = await library.loadDocument(readFileSync(process.argv[2]));
const page = await document.getPage(0).render({ scale: 1 });
process.stdout.write(JSON.stringify({ width: page.width, height: page.height, bytes: page.data.length }));
`;

/** Runs beside the bundle: imports libheif as lib/media/heic-decode.ts does (not bundled). */
const HEIF_CHECK = `
import { createRequire } from 'node:module';
const bundle = new URL('./${BUNDLE_FILE}', import.meta.url);
const module = await import(createRequire(bundle).resolve('libheif-js/wasm-bundle'));
const libheif = module.default ?? module;
process.stdout.write(JSON.stringify({ decoder: typeof libheif.HeifDecoder }));
`;

/** A localhost port with nothing listening (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
