/**
 * Hand-built PDFs for the renderer's tests: one page whose dictionary, content stream and
 * further objects the test chooses. No cross-reference table: PDFium rebuilds it, as it does for
 * the broken files people upload.
 */
import { deflateSync } from 'node:zlib';

const text = (value: string) => Buffer.from(value, 'latin1');

/** A stream object's body: `<< dict /Length n >> stream … endstream`. */
export const pdfStream = (dict: string, data: Uint8Array | string): Buffer => {
  const bytes = typeof data === 'string' ? text(data) : data;
  return Buffer.concat([
    text(`<< ${dict} /Length ${bytes.length} >> stream\n`),
    bytes,
    text('\nendstream'),
  ]);
};

/** A Flate-compressed stream (a repetitive content stream shrinks a thousandfold). */
export const pdfDeflated = (dict: string, data: string): Buffer =>
  pdfStream(`${dict} /Filter /FlateDecode`, deflateSync(text(data)));

/**
 * A one-page PDF: objects 1 (catalog), 2 (pages), 3 (the page, with `pageEntries`), then
 * `objects` numbered from 4.
 */
export function onePagePdf(pageEntries: string, objects: (string | Uint8Array)[] = []): Buffer {
  const parts: Uint8Array[] = [
    text('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n'),
    text('2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n'),
    text(`3 0 obj << /Type /Page /Parent 2 0 R ${pageEntries} >> endobj\n`),
  ];
  objects.forEach((object, index) => {
    parts.push(text(`${index + 4} 0 obj `), typeof object === 'string' ? text(object) : object);
    parts.push(text(' endobj\n'));
  });
  parts.push(text('trailer << /Root 1 0 R >>\n%%EOF\n'));
  return Buffer.concat(parts);
}

/** A page of `width`×`height` points with a blue square in its lower left corner. */
export const simplePdf = (width: number, height: number): Buffer =>
  onePagePdf(`/MediaBox [0 0 ${width} ${height}] /Contents 4 0 R`, [
    pdfStream('', '0 0 1 rg 0 0 10 10 re f'),
  ]);
