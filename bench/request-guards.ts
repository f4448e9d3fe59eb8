/**
 * 5. Request guards (issue 12): what the per-key rate limit and `Idempotency-Key` cost per
 * request, and what the SVG check costs on hostile input.
 *
 * Guards: the real `apiHandler` chain invoked in-process against the stack's DynamoDB Local,
 * around a handler that answers at once, so the difference between variants is the guard
 * alone (authentication is in every variant). Variants are interleaved request by request, so
 * machine noise hits them alike; the figure that matters is the delta of medians and the
 * DynamoDB calls per request (counted on this benchmark's own client).
 *
 * SVG: `inspectMedia` on crafted documents, the time of one call (median of a few).
 */
import { createHash, randomUUID } from 'node:crypto';
import { config } from '../lib/config.ts';
import { createTableContext, type TableContext } from '../lib/db/client.ts';
import { createApiKey } from '../lib/directory/admin/api-key-records.ts';
import { createUser } from '../lib/directory/admin/users.ts';
import { createWorkspace } from '../lib/directory/admin/workspaces.ts';
import { apiHandler } from '../lib/http/api-handler.ts';
import { idempotent } from '../lib/http/idempotency.ts';
import { type ApiContext, type ApiEvent, jsonResponse } from '../lib/http/types.ts';
import { inspectMedia } from '../lib/media/inspect.ts';
import { apiEvent, lambdaContext } from './lib/events.ts';
import { type Stats, summarize } from './lib/stats.ts';

export interface GuardVariant {
  label: string;
  latencyMs: Stats;
  /** Median latency minus the baseline's (same requests, interleaved). */
  addedMs: number;
  dynamoCallsPerRequest: Record<string, number>;
}

export interface SvgFigure {
  label: string;
  megabytes: number;
  outcome: string;
  ms: Stats;
}

export interface GuardsResult {
  requests: number;
  variants: GuardVariant[];
  /** SHA-256 of the request body (the idempotency fingerprint), by body size. */
  bodyHashMs: { megabytes: number; ms: Stats }[];
  svg: SvgFigure[];
}

interface Variant {
  label: string;
  baseline: string;
  handler: ReturnType<typeof apiHandler>;
  event: () => ApiEvent;
  expect: number;
}

export async function measureRequestGuards(options: {
  requests: number;
  svgRepeats: number;
  log: (line: string) => void;
}): Promise<GuardsResult> {
  const calls = new Map<string, Map<string, number>>();
  let current = '';
  const table = countingTable(calls, () => current);

  const workspace = await createWorkspace(table, { name: 'Guards bench' });
  const user = await createUser(table, {
    workspaceId: workspace.id,
    name: 'Gus Guard',
    email: 'gus@bench.example',
    role: 'owner',
  });
  const { key } = await createApiKey(table, { workspaceId: workspace.id, userId: user.id });
  const read = { auth: { table, scope: 'media:read' as const } };
  const write = { auth: { table, scope: 'media:write' as const } };
  const answer = async () => jsonResponse(201, { id: 'att_bench' });
  const body = JSON.stringify({ postId: 'pst_bench', fileName: 'a.png', fileData: 'AAAA' });
  const get = () => apiEvent({ method: 'GET', target: '/api/v1/media', key });
  const post = (idempotencyKey?: string) => () => {
    const event = apiEvent({ method: 'POST', target: '/api/v1/media', key, body });
    if (idempotencyKey !== undefined) event.headers['idempotency-key'] = idempotencyKey;
    return event;
  };
  const replayKey = randomUUID();
  const variants: Variant[] = [
    {
      label: 'GET, limits off',
      baseline: 'GET, limits off',
      handler: apiHandler(answer, { ...read, rateLimitPerMinute: 0 }),
      event: get,
      expect: 201,
    },
    {
      label: 'GET, rate limit on',
      baseline: 'GET, limits off',
      handler: apiHandler(answer, { ...read, rateLimitPerMinute: 1_000_000_000 }),
      event: get,
      expect: 201,
    },
    {
      label: 'POST, no Idempotency-Key',
      baseline: 'POST, no Idempotency-Key',
      handler: apiHandler(idempotent(table, answer), write),
      event: post(),
      expect: 201,
    },
    {
      label: 'POST, new Idempotency-Key',
      baseline: 'POST, no Idempotency-Key',
      handler: apiHandler(idempotent(table, answer), write),
      event: () => post(randomUUID())(),
      expect: 201,
    },
    {
      label: 'POST, replayed Idempotency-Key',
      baseline: 'POST, no Idempotency-Key',
      handler: apiHandler(idempotent(table, answer), write),
      event: post(replayKey),
      expect: 201,
    },
  ];

  const samples = new Map<string, number[]>(variants.map((v) => [v.label, []]));
  const warmup = Math.min(20, options.requests);
  for (let i = 0; i < warmup + options.requests; i++) {
    for (const variant of variants) {
      current = i < warmup ? '' : variant.label;
      const context = lambdaContext('bench-guards') as ApiContext;
      const t0 = process.hrtime.bigint();
      const result = await variant.handler(variant.event(), context);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (result.statusCode !== variant.expect) {
        throw new Error(`${variant.label}: ${result.statusCode} ${String(result.body)}`);
      }
      if (i >= warmup) samples.get(variant.label)?.push(ms);
    }
  }
  const medians = new Map(
    [...samples].map(([label, values]) => [label, summarize(values)] as const),
  );
  const figures = variants.map((variant): GuardVariant => {
    const latencyMs = medians.get(variant.label) as Stats;
    const base = medians.get(variant.baseline) as Stats;
    const perRequest = Object.fromEntries(
      [...(calls.get(variant.label) ?? new Map())].map(([name, n]) => [name, n / options.requests]),
    );
    return {
      label: variant.label,
      latencyMs,
      addedMs: latencyMs.median - base.median,
      dynamoCallsPerRequest: perRequest,
    };
  });
  for (const f of figures) {
    options.log(
      `  ${f.label}: p50 ${f.latencyMs.median.toFixed(2)} ms (+${f.addedMs.toFixed(2)}), calls ${JSON.stringify(f.dynamoCallsPerRequest)}`,
    );
  }

  const bodyHashMs = [1, 7.5, 67].map((megabytes) => {
    const text = 'A'.repeat(Math.round(megabytes * 1024 * 1024));
    const times = repeat(options.svgRepeats, () => {
      createHash('sha256').update(text).digest('hex');
    });
    return { megabytes, ms: times };
  });

  const svg: SvgFigure[] = [];
  for (const [label, bytes] of svgCases()) {
    let outcome = '';
    const times: number[] = [];
    for (let i = 0; i < options.svgRepeats; i++) {
      const t0 = process.hrtime.bigint();
      outcome = await inspectMedia(bytes, 'image/svg+xml').then(
        (m) => `accepted ${m.width}×${m.height}`,
        (e: Error & { statusCode?: number }) => `refused ${e.statusCode}`,
      );
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    svg.push({ label, megabytes: bytes.length / 1024 / 1024, outcome, ms: summarize(times) });
    options.log(`  SVG ${label}: ${outcome}, ${summarize(times).median.toFixed(1)} ms`);
  }
  return { requests: options.requests, variants: figures, bodyHashMs, svg };
}

/** The stack's table through a client of our own that counts commands per variant. */
function countingTable(calls: Map<string, Map<string, number>>, label: () => string): TableContext {
  const table = createTableContext(config);
  table.db.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
      if (label()) {
        const counts = calls.get(label()) ?? new Map<string, number>();
        counts.set(name, (counts.get(name) ?? 0) + 1);
        calls.set(label(), counts);
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCountCommands' },
  );
  return table;
}

function repeat(times: number, run: () => void): Stats {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return summarize(samples);
}

/** Crafted SVGs: the prolog that was quadratic before, at the window's size and at 50 MB. */
function* svgCases(): Generator<[string, Uint8Array]> {
  const root = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32">';
  const doctypes = (bytes: number) => '<!DOCTYPE svg>\n'.repeat(Math.floor(bytes / 15));
  const encode = (text: string) => new TextEncoder().encode(text);
  const MB = 1024 * 1024;
  yield ['1 MB of DOCTYPE lines, then the root', encode(`${doctypes(MB - 1024)}${root}</svg>`)];
  yield ['50 MB of DOCTYPE lines, then the root', encode(`${doctypes(50 * MB)}${root}</svg>`)];
  yield [
    '50 MB valid SVG (root, 50 MB of shapes)',
    encode(`${root}${'<rect width="1" height="1"/>\n'.repeat(Math.floor((50 * MB) / 29))}</svg>`),
  ];
}
