/**
 * Thumbnails on real images generated with sharp and on the fixtures: size, format, no
 * upscaling, orientation, first frame, and the image bomb refused without decoding it.
 */
import { decode, isBlurhashValid } from 'blurhash';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { placeholderOf } from '../../../lib/processing/placeholder.ts';
import { hasThumbnail, makeThumbnail } from '../../../lib/processing/thumbnail.ts';
import { mediaBytes } from '../../support/media-fixtures.ts';
import { previewFixture } from '../../support/previews.ts';

/** A BlurHash base-83 digit. */
const decode83 = (digit: string) =>
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~'.indexOf(
    digit,
  );

/** sharp sniffs every raster format itself: the stored type only picks the decoder. */
const MIME = 'image/jpeg';

const generated = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#3366cc' } });

async function thumbnailOf(bytes: Uint8Array, mimeType: string = MIME) {
  const result = await makeThumbnail(bytes, mimeType);
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
    const thumbnail = await thumbnailOf(mediaBytes('image-1600x900.jpg'));
    expect(thumbnail).toMatchObject({ width: 512, height: 288, format: 'webp' });
  });

  it('portrait: the longest side becomes 512', async () => {
    const thumbnail = await thumbnailOf(await generated(900, 1600).png().toBuffer());
    expect(thumbnail).toMatchObject({ width: 288, height: 512, format: 'webp' });
  });

  it('never upscales a small image', async () => {
    const thumbnail = await thumbnailOf(await generated(300, 200).webp().toBuffer());
    expect(thumbnail).toMatchObject({ width: 300, height: 200, format: 'webp' });
    expect(await thumbnailOf(mediaBytes('image-64x48.png'))).toMatchObject({
      width: 64,
      height: 48,
    });
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
    const thumbnail = await thumbnailOf(mediaBytes(file));
    expect(thumbnail).toMatchObject({ width, height, format: 'webp' });
  });

  it('keeps only the first frame of an animation', async () => {
    const gif = mediaBytes('image-40x30-animated.gif');
    expect((await sharp(gif, { pages: -1 }).metadata()).pages).toBeGreaterThan(1);
    const thumbnail = await thumbnailOf(gif);
    expect(thumbnail.stored.pages ?? 1).toBe(1);
  });

  it('refuses the 20000x20000 image bomb from its header, without decoding it', async () => {
    const rssBefore = process.memoryUsage().rss;
    const result = await makeThumbnail(mediaBytes('image-bomb-20000x20000.png'), MIME);
    expect(result).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/pixel limit/) });
    // Decoding would take 1.6 GB (20000 × 20000 × 4 bytes).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses corrupt data instead of throwing', async () => {
    const jpeg = await generated(1600, 900).jpeg().toBuffer();
    expect((await makeThumbnail(jpeg.subarray(0, 200), MIME)).kind).toBe('refused');
    expect((await makeThumbnail(new Uint8Array([1, 2, 3]), MIME)).kind).toBe('refused');
  });
});

/** The colour at (x, y) of a thumbnail, as [r, g, b]. */
async function colorAt(webp: Uint8Array, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(webp).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 3)];
}
const reddish = ([r, g, b]: number[]) =>
  (r as number) > 150 && (g as number) < 90 && (b as number) < 90;
const bluish = ([r, , b]: number[]) => (b as number) > 150 && (r as number) < 90;

describe('HEIC (libheif in WebAssembly, then sharp)', () => {
  it('a phone photo stored sideways (irot) → upright 384×512 WebP, red on top', async () => {
    const thumbnail = await thumbnailOf(
      previewFixture('photo-640x480-gps-rotated.heic'),
      'image/heic',
    );
    expect(thumbnail).toMatchObject({ width: 384, height: 512, format: 'webp' });
    expect(thumbnail.source).toEqual({ width: 480, height: 640 });
    expect(reddish(await colorAt(thumbnail.webp, 192, 20))).toBe(true);
    expect(bluish(await colorAt(thumbnail.webp, 192, 490))).toBe(true);
    // Thumbnails never carry metadata: no EXIF, so no GPS and no second rotation.
    expect(thumbnail.stored.exif).toBeUndefined();
    expect(thumbnail.stored.orientation).toBeUndefined();
  });

  it('the 64×48 fixture → 64×48 (never upscaled)', async () => {
    const thumbnail = await thumbnailOf(mediaBytes('image-64x48.heic'), 'image/heic');
    expect(thumbnail).toMatchObject({ width: 64, height: 48, format: 'webp' });
  });

  it('refuses a header declaring a huge picture before decoding anything', async () => {
    const heic = previewFixture('photo-640x480-gps-rotated.heic');
    // ispe (the coded size) → 40000×30000: 1.2 gigapixels.
    const ispe = Buffer.from(heic).indexOf('ispe');
    const view = new DataView(heic.buffer, heic.byteOffset);
    view.setUint32(ispe + 8, 40_000);
    view.setUint32(ispe + 12, 30_000);
    const result = await makeThumbnail(heic, 'image/heic');
    expect(result).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/pixel limit/) });
    // 10000×7000 (70 MP): within sharp's limit, above what a HEIC may take in memory.
    view.setUint32(ispe + 8, 10_000);
    view.setUint32(ispe + 12, 7_000);
    expect(await makeThumbnail(heic, 'image/heic')).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/64000000-pixel limit/),
    });
  });

  it('refuses truncated and corrupt files instead of throwing', async () => {
    const heic = previewFixture('photo-640x480-gps-rotated.heic');
    for (const length of [0, 12, 200, 600, heic.length - 100]) {
      expect((await makeThumbnail(heic.slice(0, length), 'image/heic')).kind, `${length}`).toBe(
        'refused',
      );
    }
    const corrupt = heic.slice();
    corrupt.fill(0x5a, heic.length - 400, heic.length - 40); // inside the coded picture
    const result = await makeThumbnail(corrupt, 'image/heic');
    expect(['made', 'refused']).toContain(result.kind);
  });
});

describe('PDF first page (PDFium in WebAssembly, then sharp)', () => {
  it('A4, 3 pages → 362×512 WebP of page 1, the right way up, on white paper', async () => {
    const thumbnail = await thumbnailOf(
      previewFixture('document-a4-3pages.pdf'),
      'application/pdf',
    );
    expect(thumbnail).toMatchObject({ width: 362, height: 512, format: 'webp' });
    expect(thumbnail.source).toEqual({ width: 724, height: 1024 }); // the rendered page
    expect(reddish(await colorAt(thumbnail.webp, 181, 40))).toBe(true); // page 1's red band
    expect(bluish(await colorAt(thumbnail.webp, 181, 400))).toBe(true);
    const [r, g, b] = await colorAt(thumbnail.webp, 5, 250);
    expect(Math.min(r as number, g as number, b as number)).toBeGreaterThan(240);
    expect(thumbnail.stored.exif).toBeUndefined();
  });

  it('a landscape page (the shared fixture) → 512×256', async () => {
    const thumbnail = await thumbnailOf(mediaBytes('document-1page.pdf'), 'application/pdf');
    expect(thumbnail).toMatchObject({ width: 512, height: 256, format: 'webp' });
  });

  it('malformed files get no thumbnail, without throwing', async () => {
    const pdf = previewFixture('document-a4-3pages.pdf');
    for (const bytes of [new Uint8Array(0), pdf.slice(0, 200), mediaBytes('exe-disguised.pdf')]) {
      expect(await makeThumbnail(bytes, 'application/pdf')).toMatchObject({ kind: 'refused' });
    }
  });
});

describe('placeholderOf', () => {
  it("a BlurHash with the thumbnail's aspect and its average colour", async () => {
    const made = await makeThumbnail(
      previewFixture('photo-640x480-gps-rotated.heic'),
      'image/heic',
    );
    if (made.kind !== 'made') throw new Error(made.reason);
    const placeholder = await placeholderOf(made.thumbnail.webp);
    expect(isBlurhashValid(placeholder.blurhash).result).toBe(true);
    // Portrait: fewer components across (3) than down (4); the first character encodes both.
    const sizeFlag = decode83(placeholder.blurhash[0] as string);
    expect({ x: (sizeFlag % 9) + 1, y: Math.floor(sizeFlag / 9) + 1 }).toEqual({ x: 3, y: 4 });
    // Decoded at the thumbnail's aspect it shows the same picture: red on top, blue below.
    const pixels = decode(placeholder.blurhash, 30, 40);
    const at = (x: number, y: number) => [
      ...pixels.subarray((y * 30 + x) * 4, (y * 30 + x) * 4 + 3),
    ];
    expect(reddish(at(15, 2))).toBe(true);
    expect(bluish(at(15, 37))).toBe(true);
    // Half red (#d02020), half blue (#2040d0): the average is in between.
    expect(placeholder.color).toMatch(/^#[0-9a-f]{6}$/);
    const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(placeholder.color.slice(i, i + 2), 16));
    expect(r).toBeGreaterThan(100);
    expect(r).toBeLessThan(140);
    expect(b).toBeGreaterThan(100);
    expect(b).toBeLessThan(140);
    expect(g).toBeLessThan(60);
  });

  it('landscape and square pictures', async () => {
    const wide = await generated(1600, 900).webp().toBuffer();
    const square = await generated(500, 500).png().toBuffer(); // lossless: exact colour
    const flag = async (webp: Buffer) =>
      decode83((await placeholderOf(webp)).blurhash[0] as string);
    expect(await flag(wide)).toBe(3 + 1 * 9); // 16:9 → 4 across, 2 down
    expect(await flag(square)).toBe(3 + 3 * 9); // 4 × 4
    expect((await placeholderOf(square)).color).toBe('#3366cc');
  });
});

describe('hasThumbnail', () => {
  it('raster images (HEIC included) and PDFs only', () => {
    for (const type of [
      'image/jpeg',
      'image/png',
      'image/gif',
      'image/webp',
      'image/avif',
      'image/heic',
      'application/pdf',
    ]) {
      expect(hasThumbnail(type), type).toBe(true);
    }
    for (const type of ['image/svg+xml', 'audio/mpeg']) {
      expect(hasThumbnail(type), type).toBe(false);
    }
    expect(hasThumbnail('application/json')).toBe(false);
  });
});
