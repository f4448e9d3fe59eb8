/**
 * The placeholder a feed paints before the thumbnail arrives: a BlurHash (Wolt's `blurhash`
 * encoder) and the average colour, both computed from the thumbnail rather than the original,
 * so they cost a decode of at most 512×512 pixels, shrunk further to 32 px: a BlurHash keeps
 * only a few cosine components, which 32 px hold as well as 512.
 */
import { encode } from 'blurhash';
import type { Placeholder } from '../attachments/model.ts';
import { loadSharp } from './sharp.ts';

const SAMPLE_SIDE = 32;
/** Components along the longer side (BlurHash allows 1–9); the shorter side gets fewer. */
const COMPONENTS = 4;

export async function placeholderOf(thumbnail: Uint8Array): Promise<Placeholder> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(thumbnail)
    .resize(SAMPLE_SIDE, SAMPLE_SIDE, { fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
  const { width, height } = info;
  const longer = Math.max(width, height);
  const along = (side: number) =>
    Math.max(1, Math.min(COMPONENTS, Math.round((COMPONENTS * side) / longer)));
  return {
    blurhash: encode(pixels, width, height, along(width), along(height)),
    color: averageColor(pixels),
  };
}

/** Mean of each channel over the RGBA pixels, as `#rrggbb`. */
function averageColor(pixels: Uint8ClampedArray): string {
  const sums = [0, 0, 0];
  const count = pixels.length / 4;
  for (let i = 0; i < pixels.length; i += 4) {
    for (let c = 0; c < 3; c++) sums[c] = (sums[c] as number) + (pixels[i + c] as number);
  }
  return `#${sums
    .map((sum) =>
      Math.round(sum / count)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}
