/**
 * 7. Decode cost: what one thumbnail of the heaviest inputs costs the processing function, each
 * file in fresh processes (bench/decode-cost-child.ts), as on a cold Lambda:
 *
 * - a 12 MP phone photo in HEIC (libheif in WebAssembly, then sharp);
 * - a 50-page A4 PDF (PDFium in WebAssembly draws page 1 at 1024 px, then sharp);
 * - a hostile PDF that drives PDFium to its heap cap (refused): the most memory a PDF can take;
 * - a 12 MP JPEG (sharp alone), for comparison.
 *
 * Per file: the first thumbnail of the process (decoder loading included), the warm ones after
 * it, and the process's peak RSS. The processing function's memory (`PROCESSING_MEMORY_MB` in
 * infra/function-access.ts) follows from the peaks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { onePagePdf, pdfDeflated } from '../test/support/pdf.ts';
import { runNode, tsxArgs } from './lib/child.ts';
import { type Stats, summarize } from './lib/stats.ts';

const CHILD = fileURLToPath(new URL('./decode-cost-child.ts', import.meta.url));
const PREVIEWS = fileURLToPath(new URL('../test/fixtures/previews/', import.meta.url));

export interface DecodeFigure {
  label: string;
  mimeType: string;
  outcome: string;
  /** First thumbnail of a fresh process (decoder loading included). */
  coldMs: Stats;
  /** Later thumbnails in the same process (median of each process's warm runs). */
  warmMs: Stats;
  rssBeforeMb: Stats;
  peakRssMb: Stats;
}

interface ChildReport {
  outcome: string;
  coldMs: number;
  warmMs: number[];
  rssBeforeMb: number;
  peakRssMb: number;
}

export async function measureDecodeCost(options: {
  processes: number;
  warmRuns: number;
  workDir: string;
  log: (line: string) => void;
}): Promise<DecodeFigure[]> {
  const dir = join(options.workDir, 'decode');
  await mkdir(dir, { recursive: true });
  const jpeg = join(dir, 'photo-4032x3024.jpg');
  // Gaussian grain makes the JPEG as costly to decode as a camera photo.
  await sharp({
    create: {
      width: 4032,
      height: 3024,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  })
    .jpeg({ quality: 90 })
    .toFile(jpeg);
  const heapBomb = join(dir, 'heap-bomb.pdf');
  await writeFile(
    heapBomb,
    onePagePdf('/MediaBox [0 0 1000 1000] /Contents 4 0 R', [
      pdfDeflated('', '0 0 1000 1000 re f\n'.repeat(2_000_000)),
    ]),
  );

  const cases = [
    {
      label: '12 MP HEIC (4032×3024)',
      file: join(PREVIEWS, 'photo-4032x3024.heic'),
      mimeType: 'image/heic',
    },
    {
      label: '50-page PDF (A4)',
      file: join(PREVIEWS, 'document-a4-50pages.pdf'),
      mimeType: 'application/pdf',
    },
    { label: 'PDF at the heap cap (hostile)', file: heapBomb, mimeType: 'application/pdf' },
    { label: '12 MP JPEG (4032×3024)', file: jpeg, mimeType: 'image/jpeg' },
  ];
  const figures: DecodeFigure[] = [];
  for (const c of cases) {
    const reports: ChildReport[] = [];
    for (let i = 0; i < options.processes; i++) {
      const run = await runNode({
        args: [...tsxArgs(CHILD), c.file, c.mimeType],
        env: {
          ...process.env,
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          BENCH_WARM_RUNS: String(options.warmRuns),
        },
        timeoutMs: 180_000,
        ipc: true,
      });
      if (!run.message) throw new Error(`${c.label}: no report (${run.stderr.slice(-500)})`);
      reports.push(run.message as ChildReport);
    }
    const figure: DecodeFigure = {
      label: c.label,
      mimeType: c.mimeType,
      outcome: reports[0]?.outcome ?? '',
      coldMs: summarize(reports.map((r) => r.coldMs)),
      warmMs: summarize(reports.map((r) => summarize(r.warmMs).median)),
      rssBeforeMb: summarize(reports.map((r) => r.rssBeforeMb)),
      peakRssMb: summarize(reports.map((r) => r.peakRssMb)),
    };
    options.log(
      `  ${c.label}: ${figure.outcome}, cold ${figure.coldMs.median.toFixed(0)} ms, warm ${figure.warmMs.median.toFixed(0)} ms, peak RSS ${figure.peakRssMb.median.toFixed(0)} MB`,
    );
    figures.push(figure);
  }
  return figures;
}
