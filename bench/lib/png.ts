/**
 * Valid PNGs of an exact size: a small noise image (sharp) padded with a private ancillary chunk
 * (`bnCh`, which decoders skip) before IEND. Type sniffing and header parsing see a real PNG;
 * the byte count is exactly what the benchmark asks for.
 */
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

const IEND_LENGTH = 12; // length + "IEND" + CRC
const CHUNK_OVERHEAD = 12;

export async function noisePng(width = 32, height = 24): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .png()
    .toBuffer();
}

/** A PNG of exactly `bytes` bytes (at least the base image plus one chunk header). */
export async function pngOfSize(bytes: number): Promise<Buffer> {
  const base = await noisePng();
  const padding = bytes - base.length - CHUNK_OVERHEAD;
  if (padding < 0) throw new Error(`a PNG needs at least ${base.length + CHUNK_OVERHEAD} bytes`);
  const head = base.subarray(0, base.length - IEND_LENGTH);
  const iend = base.subarray(base.length - IEND_LENGTH);
  const chunk = Buffer.alloc(CHUNK_OVERHEAD + padding);
  chunk.writeUInt32BE(padding, 0);
  chunk.write('bnCh', 4, 'latin1');
  // Pseudo-random filler: incompressible like real image data, cheap to make.
  let x = 0x9e3779b9;
  for (let i = 8; i < 8 + padding; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    chunk[i] = x & 0xff;
  }
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + padding)), 8 + padding);
  const png = Buffer.concat([head, chunk, iend]);
  if (png.length !== bytes) throw new Error('pngOfSize: size mismatch');
  return png;
}
