/**
 * 4. Upload memory and throughput: one fresh child process per upload
 * (bench/upload-memory-child.ts) for 1 MB, 10 MB and 50 MB PNGs sent as base64 JSON, through
 * the upload handler in-process against the local stack's stores (real S3 client → s3rver,
 * real DynamoDB client → DynamoDB Local).
 *
 * - `requestIncreaseMb`: peak RSS during the handler − RSS before the request existed, i.e.
 *   the request body string (one copy, ~1.33× the file) plus everything the handler allocates.
 *   Budget at 50 MB: ≤ 2.5× the file size.
 * - `handlerIncreaseMb`: peak RSS during the handler − RSS with the body already in memory.
 * - MB/s: file size / handler time (includes the S3 put to s3rver and the DynamoDB commit).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode, tsxArgs } from './lib/child.ts';
import { pngOfSize } from './lib/png.ts';
import { type Stats, summarize } from './lib/stats.ts';

const CHILD = fileURLToPath(new URL('./upload-memory-child.ts', import.meta.url));
const MB = 1_048_576;

interface ChildReport {
  fileBytes: number;
  bodyBytes: number;
  statusCode: number;
  error: string | null;
  handlerMs: number;
  rssBase: number;
  rssWithBody: number;
  rssPeak: number;
  sampledPeak: number;
  kernelPeakRaised: boolean;
}

export interface UploadFigure {
  fileMb: number;
  bodyMb: number;
  requestIncreaseMb: Stats;
  /** requestIncrease / file size */
  requestIncreaseRatio: Stats;
  handlerIncreaseMb: Stats;
  bodyStringMb: Stats;
  baseRssMb: Stats;
  peakRssMb: Stats;
  handlerMs: Stats;
  mbPerSecond: Stats;
}

export async function measureUploadMemory(options: {
  sizesMb: number[];
  repeats: number;
  stackEnv: Record<string, string>;
  postId: string;
  key: string;
  workDir: string;
  log: (line: string) => void;
}): Promise<UploadFigure[]> {
  const body = (png: Buffer) =>
    JSON.stringify({
      postId: options.postId,
      fileName: 'bench-upload.png',
      mimeType: 'image/png',
      fileData: png.toString('base64'),
    });
  const smallBodyFile = join(options.workDir, 'upload-small.json');
  await writeFile(smallBodyFile, body(await pngOfSize(4096)), 'latin1');
  const figures: UploadFigure[] = [];
  for (const sizeMb of options.sizesMb) {
    const bodyFile = join(options.workDir, `upload-${sizeMb}mb.json`);
    await writeFile(bodyFile, body(await pngOfSize(sizeMb * MB)), 'latin1');
    const reports: ChildReport[] = [];
    for (let i = 0; i < options.repeats; i++) {
      const run = await runNode({
        args: tsxArgs(CHILD, ['--expose-gc']),
        env: {
          PATH: process.env.PATH ?? '',
          ...options.stackEnv,
          POWERTOOLS_LOG_LEVEL: 'INFO',
          BENCH_BODY_FILE: bodyFile,
          BENCH_SMALL_BODY_FILE: smallBodyFile,
          BENCH_SIZE: String(sizeMb * MB),
          BENCH_KEY: options.key,
        },
        ipc: true,
        timeoutMs: 180_000,
      });
      const report = run.message as ChildReport | undefined;
      if (!report) throw new Error(`upload child failed (code ${run.code}): ${run.stderr}`);
      if (report.statusCode !== 201) {
        throw new Error(`upload of ${sizeMb} MB answered ${report.statusCode}: ${report.error}`);
      }
      reports.push(report);
    }
    const mb = (bytes: number) => bytes / MB;
    const figure: UploadFigure = {
      fileMb: sizeMb,
      bodyMb: mb(reports[0]?.bodyBytes ?? 0),
      requestIncreaseMb: summarize(reports.map((r) => mb(r.rssPeak - r.rssBase))),
      requestIncreaseRatio: summarize(reports.map((r) => (r.rssPeak - r.rssBase) / r.fileBytes)),
      handlerIncreaseMb: summarize(reports.map((r) => mb(r.rssPeak - r.rssWithBody))),
      bodyStringMb: summarize(reports.map((r) => mb(r.rssWithBody - r.rssBase))),
      baseRssMb: summarize(reports.map((r) => mb(r.rssBase))),
      peakRssMb: summarize(reports.map((r) => mb(r.rssPeak))),
      handlerMs: summarize(reports.map((r) => r.handlerMs)),
      mbPerSecond: summarize(reports.map((r) => sizeMb / (r.handlerMs / 1000))),
    };
    options.log(
      `  ${String(sizeMb).padStart(3)} MB: peak +${figure.requestIncreaseMb.median.toFixed(0)} MB over the idle process (${figure.requestIncreaseRatio.median.toFixed(2)}× the file; body string ${figure.bodyStringMb.median.toFixed(0)} MB, handler +${figure.handlerIncreaseMb.median.toFixed(0)} MB), ${figure.mbPerSecond.median.toFixed(1)} MB/s`,
    );
    figures.push(figure);
  }
  return figures;
}
