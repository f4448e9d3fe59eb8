/**
 * PDFium in WebAssembly on real and hand-built PDFs: page 1 only, at a bounded size, and every
 * malformed or hostile file ends in a `PdfRefusedError` (never a crash, never a hang), after
 * which the next PDF renders as usual.
 */
import { describe, expect, it } from 'vitest';
import {
  type PdfLimits,
  PdfRefusedError,
  renderPdfFirstPage,
} from '../../../lib/media/pdf-render.ts';
import { mediaBytes } from '../../support/media-fixtures.ts';
import { onePagePdf, pdfDeflated, pdfStream, simplePdf } from '../../support/pdf.ts';
import { previewFixture } from '../../support/previews.ts';

const LIMITS: PdfLimits = { longestSide: 1024, timeoutMs: 60_000, maxHeapBytes: 256 << 20 };
const mediaFixture = (file: string) => new Uint8Array(mediaBytes(file));

/** [r, g, b, a] at (x, y) of a rendered page. */
const pixel = (page: { rgba: Uint8Array; width: number }, x: number, y: number) => [
  ...page.rgba.subarray((y * page.width + x) * 4, (y * page.width + x) * 4 + 4),
];

async function expectRefused(bytes: Uint8Array, limits = LIMITS, reason?: RegExp) {
  const error = await renderPdfFirstPage(bytes, limits).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PdfRefusedError);
  if (reason) expect((error as Error).message).toMatch(reason);
}

/** The renderer still works after a refusal (a stopped instance is replaced). */
async function expectStillRendering() {
  const page = await renderPdfFirstPage(simplePdf(800, 400), LIMITS);
  expect(page).toMatchObject({ width: 1024, height: 512 });
}

describe('renderPdfFirstPage', () => {
  it('page 1 of an A4 document, RGBA on white paper, the right way up', async () => {
    const page = await renderPdfFirstPage(previewFixture('document-a4-3pages.pdf'), LIMITS);
    expect(page).toMatchObject({ width: 724, height: 1024 });
    expect(page.rgba.byteLength).toBe(724 * 1024 * 4);
    const [r, g, b, a] = pixel(page, 362, 60); // page 1's red band across the top
    expect([r, a]).toEqual([expect.any(Number), 255]);
    expect(r).toBeGreaterThan(150);
    expect(Math.max(g as number, b as number)).toBeLessThan(90);
    expect(pixel(page, 5, 1000)).toEqual([255, 255, 255, 255]); // the margin
  });

  it('the longest side is the bitmap limit, whatever the page box', async () => {
    expect(await renderPdfFirstPage(mediaFixture('document-1page.pdf'), LIMITS)).toMatchObject({
      width: 1024,
      height: 512,
    });
    // 14 million points on a side (about 5 km): the same 1024-pixel bitmap.
    expect(await renderPdfFirstPage(simplePdf(14_000_000, 7_000_000), LIMITS)).toMatchObject({
      width: 1024,
      height: 512,
    });
    // One point: at most 8 pixels a point, never a 1024-pixel bitmap of nothing.
    expect(await renderPdfFirstPage(simplePdf(1, 1), LIMITS)).toMatchObject({
      width: 8,
      height: 8,
    });
    const small = { ...LIMITS, longestSide: 100 };
    expect(await renderPdfFirstPage(simplePdf(800, 400), small)).toMatchObject({
      width: 100,
      height: 50,
    });
  });

  it('refuses files that are not a readable PDF', async () => {
    const pdf = previewFixture('document-a4-3pages.pdf');
    for (const bytes of [
      new Uint8Array(0),
      new TextEncoder().encode('%PDF-1.7\n'),
      new TextEncoder().encode(`%PDF-1.7\n${'garbage '.repeat(10_000)}`),
      pdf.slice(0, 200),
      mediaFixture('exe-disguised.pdf'),
    ]) {
      await expectRefused(bytes);
    }
    await expectStillRendering();
  });

  it('survives hostile structure: deep nesting, unbalanced state, a form drawing itself', async () => {
    const square = pdfStream('', '0 0 1 rg 0 0 10 10 re f');
    const hostile = [
      // 100 000 nested arrays in the page dictionary.
      onePagePdf(
        `/MediaBox [0 0 100 100] /Contents 4 0 R /X ${'['.repeat(1e5)}${']'.repeat(1e5)}`,
        [square],
      ),
      // 100 000 saved graphics states never restored.
      onePagePdf('/MediaBox [0 0 100 100] /Contents 4 0 R', [pdfStream('', 'q '.repeat(1e5))]),
      // A form XObject that draws itself: endless recursion unless the renderer stops it.
      onePagePdf(
        '/MediaBox [0 0 100 100] /Contents 4 0 R /Resources << /XObject << /F 5 0 R >> >>',
        [
          pdfStream('', '/F Do'),
          pdfStream(
            '/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /F 5 0 R >> >>',
            '0.5 0 0 0.5 0 0 cm /F Do',
          ),
        ],
      ),
    ];
    for (const bytes of hostile) {
      const outcome = await renderPdfFirstPage(bytes, LIMITS).then(
        (page) => ({ drawn: Math.max(page.width, page.height) }),
        (error: unknown) => ({ error }),
      );
      // Drawn (PDFium stops the recursion itself) or refused: never thrown past the renderer.
      if ('error' in outcome) expect(outcome.error).toBeInstanceOf(PdfRefusedError);
      else expect(outcome.drawn).toBeLessThanOrEqual(1024);
    }
    await expectStillRendering();
  });

  /** 200 000 full-page fills: 10 kB compressed, billions of pixels to paint. */
  const cpuBomb = (fills: number) =>
    onePagePdf('/MediaBox [0 0 1000 1000] /Contents 4 0 R', [
      pdfDeflated('', '0 0 1000 1000 re f\n'.repeat(fills)),
    ]);

  it('stops a page that takes longer than the time limit, mid-WebAssembly', async () => {
    await expectRefused(cpuBomb(200_000), { ...LIMITS, timeoutMs: 1_000 }, /took longer/);
    await expectStillRendering();
  });

  it('refuses a page that needs more than the heap limit', async () => {
    // 2 million drawing operations need far more than 64 MB once parsed.
    await expectRefused(cpuBomb(2_000_000), { ...LIMITS, maxHeapBytes: 64 << 20 }, /PDFium/);
    await expectStillRendering();
  });

  it('refuses a document too large for the heap before parsing it', async () => {
    const padded = new Uint8Array(5 << 20);
    padded.set(simplePdf(100, 100));
    await expectRefused(padded, { ...LIMITS, maxHeapBytes: 16 << 20 }, /too large/);
  });
});
