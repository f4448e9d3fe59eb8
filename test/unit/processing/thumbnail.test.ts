/**
 * Thumbnails on real images generated with sharp and on the fixtures: size, format, no
 * upscaling, orientation, first frame, and the image bomb refused without decoding it.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hasThumbnail, makeThumbnail } from '../../../lib/processing/thumbnail.ts';

const fixture = (file: string) =>
  readFileSync(new URL(`../../fixtures/media/${file}`, import.meta.url));

const generated = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#3366cc' } });

async function thumbnailOf(bytes: Uint8Array) {
  const result = await makeThumbnail(bytes);
  if (result.kind !== 'made') throw new Error(`refused: ${result.reason}`);
  const metadata = await sharp(result.thumbnail.webp).metadata();
  return { ...result.thumbnail, format: metadata.format, stored: metadata };
}

describe('makeThumbnail', () => {
  it('1600x900 JPEG → 512x288 WebP', async () => {
    const thumbnail = await thumbnailOf(await generated(1600, 900).jpeg().toBuffer());
    expect(thumbnail).toMatchObject({ width: 512, height: 288, format: 'webp' });
    expect(thumbnail.stored).toMatchObject({ width: 512, height: 288 });
    expect(thumbnail.source).toEqual({ width: 1600, height: 900 });
  });

  it('the 1600x900 fixture → 512x288', async () => {
    const thumbnail = await thumbnailOf(fixture('image-1600x900.jpg'));
    expect(thumbnail).toMatchObject({ width: 512, height: 288, format: 'webp' });
  });

  it('portrait: the longest side becomes 512', async () => {
    const thumbnail = await thumbnailOf(await generated(900, 1600).png().toBuffer());
    expect(thumbnail).toMatchObject({ width: 288, height: 512, format: 'webp' });
  });

  it('never upscales a small image', async () => {
    const thumbnail = await thumbnailOf(await generated(300, 200).webp().toBuffer());
    expect(thumbnail).toMatchObject({ width: 300, height: 200, format: 'webp' });
    expect(await thumbnailOf(fixture('image-64x48.png'))).toMatchObject({ width: 64, height: 48 });
  });

  it('applies the EXIF orientation (a sideways photo is shown upright)', async () => {
    const sideways = await generated(1600, 900).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const thumbnail = await thumbnailOf(sideways);
    expect(thumbnail).toMatchObject({ width: 288, height: 512 });
    expect(thumbnail.source).toEqual({ width: 900, height: 1600 });
  });

  it.each([
    ['image-64x48.jpg', 64, 48],
    ['image-64x48.webp', 64, 48],
    ['image-64x48.avif', 64, 48],
    ['image-40x30-animated.gif', 40, 30],
  ])('%s → %ix%i WebP', async (file, width, height) => {
    const thumbnail = await thumbnailOf(fixture(file));
    expect(thumbnail).toMatchObject({ width, height, format: 'webp' });
  });

  it('keeps only the first frame of an animation', async () => {
    const gif = fixture('image-40x30-animated.gif');
    expect((await sharp(gif, { pages: -1 }).metadata()).pages).toBeGreaterThan(1);
    const thumbnail = await thumbnailOf(gif);
    expect(thumbnail.stored.pages ?? 1).toBe(1);
  });

  it('refuses the 20000x20000 image bomb from its header, without decoding it', async () => {
    const rssBefore = process.memoryUsage().rss;
    const result = await makeThumbnail(fixture('image-bomb-20000x20000.png'));
    expect(result).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/pixel limit/) });
    // Decoding would take 1.6 GB (20000 × 20000 × 4 bytes).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses corrupt data instead of throwing', async () => {
    const jpeg = await generated(1600, 900).jpeg().toBuffer();
    expect((await makeThumbnail(jpeg.subarray(0, 200))).kind).toBe('refused');
    expect((await makeThumbnail(new Uint8Array([1, 2, 3]))).kind).toBe('refused');
  });
});

describe('hasThumbnail', () => {
  it('raster images only', () => {
    for (const type of ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']) {
      expect(hasThumbnail(type), type).toBe(true);
    }
    for (const type of ['image/heic', 'image/svg+xml', 'audio/mpeg', 'application/pdf']) {
      expect(hasThumbnail(type), type).toBe(false);
    }
    expect(hasThumbnail('application/json')).toBe(false);
  });
});
