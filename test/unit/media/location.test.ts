import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { removeLocation } from '../../../lib/media/location/remove-location.ts';
import { removeXmpGps } from '../../../lib/media/location/xmp-gps.ts';
import { mediaBytes } from '../../support/media-fixtures.ts';
import {
  exifOrientationOf,
  GPS_FIXTURES,
  locationOf,
  previewFixture,
} from '../../support/previews.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const text = (value: string) => new TextEncoder().encode(value);
const decoded = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('removeLocation on real files', () => {
  it.each(GPS_FIXTURES)('$file: GPS removed, nothing else', async ({ file, mimeType }) => {
    const original = previewFixture(file);
    expect(Object.keys(locationOf(original)).length).toBeGreaterThan(0);
    const edited = previewFixture(file);

    expect(removeLocation(edited, mimeType)).toEqual(['location']);

    expect(locationOf(edited)).toEqual({});
    expect(edited.length).toBe(original.length);
    expect(exifOrientationOf(edited)).toBe(exifOrientationOf(original));
    // Again: nothing left to remove, nothing changes.
    const once = sha256(edited);
    expect(removeLocation(edited, mimeType)).toEqual([]);
    expect(sha256(edited)).toBe(once);
  });

  it.each(GPS_FIXTURES.filter(({ mimeType }) => mimeType !== 'image/heic'))(
    '$file: the pixels are untouched',
    async ({ file, mimeType }) => {
      const edited = previewFixture(file);
      removeLocation(edited, mimeType);
      const pixels = (bytes: Uint8Array) => sharp(bytes).raw().toBuffer();
      expect(sha256(await pixels(edited))).toBe(sha256(await pixels(previewFixture(file))));
    },
  );

  it('HEIC: only the Exif item changes (the coded image is untouched)', () => {
    const original = previewFixture('photo-640x480-gps-rotated.heic');
    const edited = previewFixture('photo-640x480-gps-rotated.heic');
    removeLocation(edited, 'image/heic');
    const changed = [...edited.keys()].filter((i) => edited[i] !== original[i]);
    const exif = Buffer.from(original).indexOf('MM\0*');
    expect(changed.length).toBeGreaterThan(0);
    expect(Math.min(...changed)).toBeGreaterThanOrEqual(exif);
    expect(Math.max(...changed)).toBeLessThan(exif + 400); // the 392-byte Exif item
  });

  it('PNG: the edited chunk keeps a valid CRC', () => {
    const edited = previewFixture('gps-64x48.png');
    removeLocation(edited, 'image/png');
    const view = new DataView(edited.buffer);
    for (let pos = 8; pos < edited.length; ) {
      const length = view.getUint32(pos);
      const crc = view.getUint32(pos + 8 + length);
      expect(crc32(edited.subarray(pos + 4, pos + 8 + length))).toBe(crc);
      pos += 12 + length;
    }
  });

  it('files without location are left byte for byte', () => {
    for (const [file, mimeType] of [
      ['image-64x48.jpg', 'image/jpeg'],
      ['image-64x48.png', 'image/png'],
      ['image-64x48.webp', 'image/webp'],
      ['image-64x48.avif', 'image/avif'],
      ['image-64x48.heic', 'image/heic'],
      ['document-1page.pdf', 'application/pdf'],
    ] as const) {
      const bytes = new Uint8Array(mediaBytes(file));
      const before = sha256(bytes);
      expect(removeLocation(bytes, mimeType), file).toEqual([]);
      expect(sha256(bytes), file).toBe(before);
    }
  });

  it('other types are never edited, even when they look like an image', () => {
    const bytes = previewFixture('photo-640x480-gps-rotated.jpg');
    expect(removeLocation(bytes, 'image/gif')).toEqual([]);
    expect(removeLocation(bytes, 'application/pdf')).toEqual([]);
    expect(Object.keys(locationOf(bytes)).length).toBeGreaterThan(0);
  });

  it('truncated and corrupted files never throw', () => {
    for (const { file, mimeType } of GPS_FIXTURES) {
      const whole = previewFixture(file);
      for (let length = 0; length < whole.length; length += 7) {
        const bytes = whole.slice(0, length);
        expect(() => removeLocation(bytes, mimeType)).not.toThrow();
      }
      let seed = 1;
      for (let round = 0; round < 50; round++) {
        const bytes = whole.slice();
        for (let i = 0; i < 16; i++) {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          bytes[seed % bytes.length] = seed & 0xff;
        }
        const removed = removeLocation(bytes, mimeType);
        expect(Array.isArray(removed)).toBe(true);
        expect(bytes.length).toBe(whole.length);
      }
    }
  });
});

describe('removeXmpGps', () => {
  it('blanks attributes and elements, keeping the length and the other properties', () => {
    const packet = text(
      '<rdf:Description exif:GPSLatitude="48,51.5N" photoshop:City="Paris" ' +
        "exif:GPSLongitude = '2,17.7E'><exif:GPSAltitude>35</exif:GPSAltitude>" +
        '<exif:GPSVersionID/><dc:title>x</dc:title></rdf:Description>',
    );
    const length = packet.length;
    expect(removeXmpGps(packet)).toBe(true);
    const result = decoded(packet);
    expect(result.length).toBe(length);
    expect(result).not.toMatch(/GPS|48,51|2,17|>35</);
    expect(result).toMatch(/photoshop:City="Paris"/);
    expect(result).toMatch(/<dc:title>x<\/dc:title>/);
    expect(result.replace(/\s+/g, ' ')).toBe(
      '<rdf:Description photoshop:City="Paris" > <dc:title>x</dc:title></rdf:Description>',
    );
  });

  it('leaves packets without GPS and malformed ones alone', () => {
    for (const source of [
      '<x:xmpmeta><dc:title>GPS in a title</dc:title></x:xmpmeta>',
      '<exif:GPSLatitude>never closed',
      'exif:GPSLatitude="never closed',
      ':GPS:GPS:GPS',
    ]) {
      const packet = text(source);
      expect(removeXmpGps(packet), source).toBe(false);
      expect(decoded(packet)).toBe(source);
    }
  });
});
