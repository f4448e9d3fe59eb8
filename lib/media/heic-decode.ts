/**
 * Decodes the primary picture of a HEIC/HEIF file to RGBA pixels with libheif compiled to
 * WebAssembly (`libheif-js`, its HEVC decoder included): sharp's prebuilt libvips has no HEVC
 * decoder, and WebAssembly runs on Lambda arm64 without system libraries. libheif applies the
 * file's own transformations (`irot`, `imir`, `clap`), so the pixels come out as displayed; the
 * EXIF orientation is not applied again (HEIF readers ignore it by specification).
 *
 * Bounds: the size is read from the header (`heifPrimaryDimensions`) and from libheif's handle
 * before anything is decoded, and files above `maxPixels` are refused there, so a crafted file
 * declaring a huge picture costs no decoding. The module (about 2 MB of WebAssembly) is loaded on
 * the first HEIC file only.
 */
import type { DecodedPicture } from './decoded-picture.ts';
import { heifPrimaryDimensions } from './heif.ts';

export class HeifRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeifRefusedError';
  }
}

interface HeifImage {
  get_width(): number;
  get_height(): number;
  is_primary(): boolean;
  free(): void;
  display(
    target: { data: Uint8ClampedArray; width: number; height: number },
    done: (result: unknown) => void,
  ): void;
}
interface LibHeif {
  HeifDecoder: new () => { decoder: unknown; decode(bytes: Uint8Array): HeifImage[] };
  heif_context_free(context: unknown): void;
}

let libheif: Promise<LibHeif> | undefined;
async function loadLibheif(): Promise<LibHeif> {
  // The CommonJS bundle exports a factory; calling it compiles the embedded WebAssembly.
  libheif ??= import('libheif-js/wasm-bundle').then(
    (module) => ((module as { default?: unknown }).default ?? module) as LibHeif,
  );
  return libheif;
}

export async function decodeHeif(bytes: Uint8Array, maxPixels: number): Promise<DecodedPicture> {
  const declared = heifPrimaryDimensions(bytes);
  if (!declared?.width || !declared.height) {
    throw new HeifRefusedError('no primary picture size in the HEIF header');
  }
  assertWithin(declared.width, declared.height, maxPixels);

  const heif = await loadLibheif();
  const decoder = new heif.HeifDecoder();
  const images = decoder.decode(bytes);
  try {
    const primary = images.find((image) => image.is_primary()) ?? images[0];
    if (!primary) throw new HeifRefusedError('libheif found no picture');
    const width = primary.get_width();
    const height = primary.get_height();
    assertWithin(width, height, maxPixels);
    const rgba = new Uint8ClampedArray(width * height * 4);
    const decoded = await new Promise<unknown>((done) =>
      primary.display({ data: rgba, width, height }, done),
    );
    if (!decoded) throw new HeifRefusedError('libheif could not decode the picture');
    return { rgba: new Uint8Array(rgba.buffer), width, height };
  } finally {
    for (const image of images) image.free();
    if (decoder.decoder) heif.heif_context_free(decoder.decoder);
  }
}

function assertWithin(width: number, height: number, maxPixels: number): void {
  if (!(width > 0 && height > 0)) throw new HeifRefusedError('the HEIF picture has no size');
  if (width * height > maxPixels) {
    throw new HeifRefusedError(`${width}×${height} is above the ${maxPixels}-pixel limit`);
  }
}
