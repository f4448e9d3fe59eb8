/**
 * The first page of a PDF as RGBA pixels, for its thumbnail: PDFium (Chrome's PDF engine)
 * compiled to WebAssembly (`@hyzyla/pdfium`). WebAssembly runs on Lambda arm64 without system
 * libraries or a native canvas, and PDFium ships its own standard-14 fonts, so a PDF that names
 * Helvetica without embedding it renders the same everywhere. The package is installed into the
 * processing function's asset (`infra/bundling.ts`), its `pdfium.wasm` beside its code.
 *
 * Every PDF is hostile, and the work is bounded three ways:
 * - pages: only page 1 is loaded (PDFium parses the cross-reference table, then the objects
 *   that page needs), and it is drawn into a bitmap of at most `longestSide` pixels whatever
 *   page box it declares (a 5 km page costs the same bitmap as a letter page);
 * - time: each synchronous PDFium call runs under a `node:vm` timeout, which stops even a
 *   WebAssembly loop (V8 terminates the execution and Node turns that into an error); the steps
 *   share one deadline (`timeoutMs`);
 * - memory: the WebAssembly heap may grow to `maxHeapBytes` and no further (PDFium's allocations
 *   then fail, and it aborts with an error instead of taking the function's memory).
 * A PDFium instance that was stopped or aborted may hold half-updated state: it is dropped and
 * the next PDF gets a fresh one (from the compiled module, a few milliseconds).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import type { PDFiumDocument, PDFiumLibrary } from '@hyzyla/pdfium';
import type { DecodedPicture } from './decoded-picture.ts';

export interface PdfLimits {
  /** Longest side of the rendered page, in pixels. */
  longestSide: number;
  /** Wall-clock budget of loading the document and drawing page 1. */
  timeoutMs: number;
  /** Largest WebAssembly heap PDFium may grow to (the document's bytes are copied into it). */
  maxHeapBytes: number;
}

export class PdfRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfRefusedError';
  }
}

/** A 1-point page is drawn at most this many pixels a point (never 1024 pixels of nothing). */
const MAX_PIXELS_PER_POINT = 8;
/** The document is copied into the heap once; PDFium's parsing needs room beside it. */
const HEAP_PER_DOCUMENT_BYTE = 4;

/** Node's WebAssembly API, as used here (the project's TypeScript libs leave out the DOM's). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<CompiledWasm>;
  Instance: new (module: CompiledWasm, imports: WasmImports) => { exports: object };
}
type CompiledWasm = { readonly compiled: unique symbol };
type WasmImports = Record<string, Record<string, unknown>>;
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: Promise<CompiledWasm> | undefined;
/** Compiled once per process: a fresh instance after a failure costs no compilation. */
function pdfiumModule(): Promise<CompiledWasm> {
  compiled ??= readFile(createRequire(import.meta.url).resolve('@hyzyla/pdfium/pdfium.wasm')).then(
    (wasm) => wasmApi.compile(wasm),
  );
  return compiled;
}

let instance: { library: Promise<PDFiumLibrary>; maxHeapBytes: number } | undefined;
function pdfium(maxHeapBytes: number): Promise<PDFiumLibrary> {
  if (instance?.maxHeapBytes !== maxHeapBytes) {
    instance = { library: instantiate(maxHeapBytes), maxHeapBytes };
    // A failed start is not cached.
    instance.library.catch(() => {
      instance = undefined;
    });
  }
  return instance.library;
}

async function instantiate(maxHeapBytes: number): Promise<PDFiumLibrary> {
  const [{ PDFiumLibrary }, module] = await Promise.all([import('@hyzyla/pdfium'), pdfiumModule()]);
  return PDFiumLibrary.init({
    instantiateWasm: (imports: WasmImports, receive: (instance: never) => void) => {
      capHeap(imports, maxHeapBytes);
      // Synchronous, so a failure rejects `init` instead of leaving it pending. Emscripten's
      // callback takes the instance (the package's type says module).
      const created = new wasmApi.Instance(module, imports);
      receive(created as never);
      return created.exports as never;
    },
  });
}

/**
 * Emscripten grows the heap through its `emscripten_resize_heap` import (up to 2 GB in this
 * build); refusing a request above the cap makes the allocation fail inside PDFium.
 */
function capHeap(imports: WasmImports, maxHeapBytes: number): void {
  const env = imports.env as Record<string, unknown>;
  const resize = env.emscripten_resize_heap as (requested: number) => boolean;
  env.emscripten_resize_heap = (requested: number) =>
    requested >>> 0 <= maxHeapBytes ? resize(requested) : false;
}

export async function renderPdfFirstPage(
  bytes: Uint8Array,
  limits: PdfLimits,
): Promise<DecodedPicture> {
  if (bytes.byteLength * HEAP_PER_DOCUMENT_BYTE > limits.maxHeapBytes) {
    throw new PdfRefusedError(`${bytes.byteLength} bytes is too large a PDF to parse`);
  }
  const library = await pdfium(limits.maxHeapBytes);
  const deadline = Date.now() + limits.timeoutMs;
  let document: PDFiumDocument | undefined;
  try {
    document = await withinDeadline(deadline, () => library.loadDocument(bytes));
    const page = withinDeadline(deadline, () => document?.getPage(0));
    if (!page) throw new PdfRefusedError('the PDF has no page');
    const { originalWidth, originalHeight } = page.getOriginalSize();
    const { width, height } = bitmapSize(originalWidth, originalHeight, limits.longestSide);
    // `render` draws synchronously before its first await: the deadline covers the drawing.
    const rendered = await withinDeadline(deadline, () =>
      page.render({ scale: 1, width, height, colorSpace: 'BGRA' }),
    );
    // BGRA with PDFium's "reverse byte order" flag, which the wrapper sets: RGBA in memory.
    return { rgba: rendered.data, width: rendered.width, height: rendered.height };
  } catch (error) {
    if (error instanceof PdfRefusedError) throw error;
    // Stopped mid-call or aborted: this instance's state cannot be trusted any more.
    instance = undefined;
    throw new PdfRefusedError(`PDFium: ${(error as Error).message}`);
  } finally {
    try {
      document?.destroy();
    } catch {
      instance = undefined;
    }
  }
}

/** The bitmap for a page of `width`×`height` points: `longestSide` on its longest side. */
function bitmapSize(width: number, height: number, longestSide: number) {
  const longest = Math.max(width, height);
  if (!(Math.min(width, height) > 0) || !Number.isFinite(longest)) {
    throw new PdfRefusedError(`the first page has no usable size (${width}×${height} pt)`);
  }
  const scale = Math.min(longestSide / longest, MAX_PIXELS_PER_POINT);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Runs `call` (synchronous PDFium work, or an async wrapper that does it before its first
 * await) with what is left of the deadline. `vm`'s timeout covers every function the script
 * calls, WebAssembly included.
 */
function withinDeadline<T>(deadline: number, call: () => T): T {
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw new PdfRefusedError('the PDF took too long');
  try {
    return vm.runInNewContext('call()', { call }, { timeout: remaining }) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      instance = undefined;
      throw new PdfRefusedError(`the PDF took longer than the ${remaining} ms left to it`);
    }
    throw error;
  }
}
