import { describe, expect, it, vi } from 'vitest';
import { UnsupportedMediaTypeError } from '../../../lib/errors.ts';
import { type InspectedMedia, inspectMedia } from '../../../lib/media/inspect.ts';
import { MEDIA_TYPES } from '../../../lib/media/media-types.ts';
import { MEDIA_FIXTURES, mediaBytes } from '../../support/media-fixtures.ts';

const fixtures = MEDIA_FIXTURES;

function fixture(file: string): Uint8Array {
  return new Uint8Array(mediaBytes(file));
}

function text(content: string): Uint8Array {
  return new TextEncoder().encode(content);
}

async function rejection(bytes: Uint8Array, mimeType: string): Promise<UnsupportedMediaTypeError> {
  const error = await inspectMedia(bytes, mimeType).then(
    () => new Error(`accepted as ${mimeType}`),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
  return error as UnsupportedMediaTypeError;
}

/** Hostile input may be refused (415) or accepted, but only with well-formed metadata. */
async function expectCleanOutcome(bytes: Uint8Array, mimeType: string) {
  const outcome = await inspectMedia(bytes, mimeType).then(
    (media) => media,
    (thrown: unknown) => thrown,
  );
  if (outcome instanceof Error) {
    expect(outcome).toBeInstanceOf(UnsupportedMediaTypeError);
    return;
  }
  const media = outcome as InspectedMedia;
  for (const value of [media.width, media.height]) {
    if (value !== null) expect(Number.isInteger(value) && value > 0).toBe(true);
  }
  if (media.duration !== null) expect(media.duration).toBeGreaterThan(0);
}

/** Deterministic bytes so a failure can be reproduced. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

describe('inspectMedia: shared fixtures', () => {
  const accepted = fixtures.filter((f) => f.expect.startsWith('accept'));
  const rejected = fixtures.filter((f) => !f.expect.startsWith('accept'));

  it('covers every fixture file', () => {
    expect(accepted.length + rejected.length).toBe(26);
    expect(rejected.every((f) => f.expect.startsWith('415'))).toBe(true);
  });

  it.each(accepted.map((f) => [f.file, f] as const))('accepts %s', async (_, f) => {
    const media = await inspectMedia(fixture(f.file), f.mimeType);
    expect(media.fileType).toBe(f.fileType);
    expect(media.width).toBe(f.width);
    expect(media.height).toBe(f.height);
    if (f.duration === null) {
      expect(media.duration).toBeNull();
    } else {
      expect(media.duration).not.toBeNull();
      expect(Math.abs((media.duration ?? 0) - f.duration)).toBeLessThanOrEqual(0.1);
    }
  });

  it.each(rejected.map((f) => [f.file, f] as const))('rejects %s with 415', async (_, f) => {
    const error = await rejection(fixture(f.file), f.mimeType);
    expect(error.statusCode).toBe(415);
  });

  it('says why each fixture is rejected', async () => {
    expect((await rejection(fixture('video-1s.mp4'), 'video/mp4')).message).toMatch(
      /^Video files .*web interface/,
    );
    expect((await rejection(fixture('model.glb'), 'model/gltf-binary')).message).toMatch(
      /^3D model files .*web interface/,
    );
    expect((await rejection(fixture('image-png-declared-as-jpeg.png'), 'image/jpeg')).message).toBe(
      'The file content is image/png, but mimeType says image/jpeg.',
    );
    expect((await rejection(fixture('exe-disguised.pdf'), 'application/pdf')).message).toContain(
      'application/x-msdownload',
    );
    expect((await rejection(fixture('html-disguised.png'), 'image/png')).message).toContain(
      'not a valid image/png file',
    );
    expect(
      (await rejection(fixture('json-not-lottie.json'), 'application/json')).message,
    ).toContain('not a Lottie animation');
  });

  it('returns the canonical type and the extension of the declared type', async () => {
    expect(await inspectMedia(fixture('image-64x48.jpg'), 'image/jpeg')).toEqual({
      fileType: 'image',
      mimeType: 'image/jpeg',
      extension: 'jpg',
      width: 64,
      height: 48,
      duration: null,
    });
    const pdf = await inspectMedia(fixture('document-1page.pdf'), 'application/pdf');
    expect(pdf).toMatchObject({
      fileType: 'document',
      extension: 'pdf',
      width: null,
      duration: null,
    });
  });

  it('reads the image bomb header without decoding pixels', async () => {
    const rssBefore = process.memoryUsage().rss;
    const media = await inspectMedia(fixture('image-bomb-20000x20000.png'), 'image/png');
    expect(media).toMatchObject({ width: 20000, height: 20000 });
    // Decoding would take 1.6 GB (20000 × 20000 × 4 bytes).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });
});

describe('inspectMedia: aliases and MIME parameters', () => {
  it.each([
    ['audio-1.5s.m4a', 'audio/x-m4a', 'audio/mp4', 'm4a'],
    ['audio-1.5s.wav', 'audio/x-wav', 'audio/wav', 'wav'],
    ['audio-1.5s.wav', 'audio/wave', 'audio/wav', 'wav'],
    ['audio-1.5s.wav', 'audio/vnd.wave', 'audio/wav', 'wav'],
    ['audio-1.5s.flac', 'audio/x-flac', 'audio/flac', 'flac'],
    ['audio-1.5s.aiff', 'audio/x-aiff', 'audio/aiff', 'aiff'],
    ['audio-1.5s.mp3', 'audio/mp3', 'audio/mpeg', 'mp3'],
    ['audio-1.5s.opus', 'audio/ogg', 'audio/ogg', 'ogg'],
    ['audio-1.5s.opus', 'audio/ogg; codecs=opus', 'audio/ogg', 'ogg'],
    ['image-64x48.jpg', 'image/jpg', 'image/jpeg', 'jpg'],
    ['image-64x48.heic', 'image/heif', 'image/heic', 'heic'],
    ['image-64x48.png', 'IMAGE/PNG; charset=binary', 'image/png', 'png'],
    ['lottie-100x60-1.5s.json', 'application/lottie+json', 'application/json', 'json'],
    ['lottie-100x60-1.5s.json', 'application/json; charset=utf-8', 'application/json', 'json'],
  ])('accepts %s declared as %s', async (file, declared, mimeType, extension) => {
    const media = await inspectMedia(fixture(file), declared);
    expect(media).toMatchObject({ mimeType, extension });
  });

  it('accepts only Opus as audio/opus', async () => {
    expect((await inspectMedia(fixture('audio-1.5s.opus'), 'audio/opus')).duration).toBeCloseTo(
      1.5,
      1,
    );
    const error = await rejection(fixture('audio-1.5s.ogg'), 'audio/opus');
    expect(error.message).toBe('The file content is audio/ogg, but mimeType says audio/opus.');
  });

  it('accepts audio-only MP4 whose brand file-type reports as video/mp4', async () => {
    const bytes = fixture('audio-1.5s.m4a');
    bytes.set(text('isom'), 8); // major brand "M4A " → generic "isom"
    const media = await inspectMedia(bytes, 'audio/mp4');
    expect(media.fileType).toBe('audio');
    expect(Math.abs((media.duration ?? 0) - 1.5)).toBeLessThanOrEqual(0.1);
  });

  it('refuses an MP4 video declared as M4A audio', async () => {
    const error = await rejection(fixture('video-1s.mp4'), 'audio/mp4');
    expect(error.message).toContain('video/mp4');
    expect(error.message).toContain('web interface');
  });

  it('accepts AVIF written with the generic mif1 major brand', async () => {
    const bytes = fixture('image-64x48.avif');
    bytes.set(text('mif1'), 8); // compatible brands still list "avif"
    expect(await inspectMedia(bytes, 'image/avif')).toMatchObject({ width: 64, height: 48 });
  });

  it('refuses cross-family declarations', async () => {
    await rejection(fixture('image-64x48.heic'), 'image/avif');
    await rejection(fixture('image-64x48.avif'), 'image/heic');
    await rejection(fixture('audio-1.5s.mp3'), 'audio/aac');
    await rejection(fixture('audio-1.5s.wav'), 'audio/aiff');
    await rejection(fixture('image-64x48.png'), 'application/pdf');
  });

  it('refuses an IFF file that is not AIFF', async () => {
    const bytes = fixture('audio-1.5s.aiff');
    bytes.set(text('ILBM'), 8);
    await rejection(bytes, 'audio/aiff');
  });

  it('checks the declared type before the bytes', async () => {
    const error = await rejection(fixture('image-64x48.png'), 'video/mp4');
    expect(error.message).toMatch(/^Video files/);
    expect((await rejection(fixture('image-64x48.png'), 'image/bmp')).message).toContain(
      'not supported',
    );
  });
});

describe('inspectMedia: SVG', () => {
  const svg = (content: string) => inspectMedia(text(content), 'image/svg+xml');

  it('takes the size from the viewBox when there are no width/height attributes', async () => {
    expect(
      await svg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"></svg>'),
    ).toMatchObject({
      fileType: 'image',
      mimeType: 'image/svg+xml',
      extension: 'svg',
      width: 300,
      height: 150,
    });
  });

  it('prefers width/height attributes, and ignores percentages', async () => {
    expect(await svg('<svg width="40" height="20" viewBox="0 0 4 2"/>')).toMatchObject({
      width: 40,
      height: 20,
    });
    expect(await svg('<svg width="100%" height="100%" viewBox="0 0 30 10"></svg>')).toMatchObject({
      width: 30,
      height: 10,
    });
  });

  it('accepts an SVG without any size, with unknown dimensions', async () => {
    expect(await svg('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')).toMatchObject({
      width: null,
      height: null,
    });
  });

  it('accepts a prolog: BOM, XML declaration, comments, DOCTYPE with internal subset', async () => {
    const doc = [
      '\ufeff<?xml version="1.0" encoding="UTF-8"?>',
      '<!-- Generator: Illustrator, <svg width="1" height="1"> in a comment -->',
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [',
      '  <!ENTITY ns_svg "http://www.w3.org/2000/svg">',
      ']>',
      '<svg xmlns="&ns_svg;" width="12" height="34"><g/></svg>',
      '<!-- trailing comment -->',
      '',
    ].join('\n');
    expect(await svg(doc)).toMatchObject({ width: 12, height: 34 });
  });

  it('accepts SVG with script (serving makes it safe, not the upload check)', async () => {
    const media = await inspectMedia(fixture('image-svg-with-script.svg'), 'image/svg+xml');
    expect(media).toMatchObject({ fileType: 'image', width: 10, height: 10 });
  });

  it.each([
    [
      'an HTML document',
      '<!doctype html><html><body><svg width="1" height="1"></svg></body></html>',
    ],
    ['an <html> root', '<html><svg width="1" height="1"></svg></html>'],
    ['an HTML doctype before <svg>', '<!DOCTYPE html><svg width="1" height="1"></svg>'],
    ['a truncated document', '<svg width="10" height="10"><rect/>'],
    ['an unterminated start tag', '<svg width="10" height="10"'],
    ['content after the root', '<svg width="1" height="1"></svg><script>alert(1)</script>'],
    ['an unterminated comment', `<!--${'a'.repeat(100_000)}`],
    ['an unterminated DOCTYPE subset', '<!DOCTYPE svg [ <!ENTITY a "b"> <svg></svg>'],
    ['a different root element', '<?xml version="1.0"?><rss version="2.0"></rss>'],
    ['an uppercase root element', '<SVG width="1" height="1"></SVG>'],
    ['plain text', 'hello world'],
  ])('rejects %s', async (_, content) => {
    await rejection(text(content), 'image/svg+xml');
  });

  it('rejects bytes that are not UTF-8 text, naming a detected binary type', async () => {
    await rejection(
      new Uint8Array([0x3c, 0x73, 0x76, 0x67, 0x20, 0xff, 0xfe, 0x3e]),
      'image/svg+xml',
    );
    const error = await rejection(fixture('image-64x48.png'), 'image/svg+xml');
    expect(error.message).toBe('The file content is image/png, but mimeType says image/svg+xml.');
  });
});

describe('inspectMedia: Lottie', () => {
  const base = { v: '5.7.4', ip: 0, op: 60, fr: 30, w: 512, h: 256, layers: [] };
  const lottie = (doc: unknown, mimeType = 'application/json') =>
    inspectMedia(text(JSON.stringify(doc)), mimeType);

  it('reads size and duration (op - ip) / fr', async () => {
    expect(await lottie(base)).toEqual({
      fileType: 'lottie',
      mimeType: 'application/json',
      extension: 'json',
      width: 512,
      height: 256,
      duration: 2,
    });
    expect(await lottie({ ...base, ip: 10, op: 30, fr: 24 })).toMatchObject({ duration: 0.833 });
  });

  it('reports unknown duration for a zero-length animation and rounds odd sizes', async () => {
    expect(await lottie({ ...base, op: 0, w: 99.6, h: 0 })).toMatchObject({
      width: 100,
      height: null,
      duration: null,
    });
  });

  it('accepts a UTF-8 BOM and the lottie+json type', async () => {
    const bytes = text(`\ufeff${JSON.stringify(base)}`);
    expect((await inspectMedia(bytes, 'application/lottie+json')).fileType).toBe('lottie');
  });

  it.each([
    ['without layers', { ...base, layers: undefined }],
    ['with a numeric version', { ...base, v: 5 }],
    ['with a zero frame rate', { ...base, fr: 0 }],
    ['with a string size', { ...base, w: '512' }],
    ['ending before it starts', { ...base, ip: 30, op: 10 }],
    ['with layers that are not an array', { ...base, layers: {} }],
    ['as an array', [base]],
    ['as null', null],
    ['as a string', 'lottie'],
  ])('rejects a document %s', async (_, doc) => {
    const error = await rejection(text(JSON.stringify(doc)), 'application/json');
    expect(error.message).toContain('not a Lottie animation');
  });

  it('rejects text that is not JSON', async () => {
    await rejection(text('{"v": "5.7.4", '), 'application/json');
    await rejection(text('<svg></svg>'), 'application/lottie+json');
    const error = await rejection(fixture('image-64x48.png'), 'application/json');
    expect(error.message).toContain('image/png');
  });

  it('survives deeply nested JSON', async () => {
    await rejection(text(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), 'application/json');
  });
});

describe('inspectMedia: hostile input', () => {
  const declaredTypes = MEDIA_TYPES.map((entry) => entry.canonicalMimeType);

  it.each(declaredTypes)('rejects an empty file declared as %s', async (mimeType) => {
    expect((await rejection(new Uint8Array(0), mimeType)).message).toContain('empty');
  });

  it.each(declaredTypes)('rejects a single byte declared as %s', async (mimeType) => {
    await rejection(new Uint8Array([0x89]), mimeType);
  });

  it.each(declaredTypes)('handles 64 KB of random bytes declared as %s', async (mimeType) => {
    for (const seed of [1, 2, 3]) {
      await expectCleanOutcome(pseudoRandomBytes(64 * 1024, seed), mimeType);
    }
  });

  it('handles a truncated PNG', async () => {
    const png = fixture('image-64x48.png');
    await rejection(png.subarray(0, 4), 'image/png'); // not even the full signature
    // Signature + IHDR is enough for the size; beyond that the pixels are never read.
    expect(await inspectMedia(png.subarray(0, 33), 'image/png')).toMatchObject({
      width: 64,
      height: 48,
    });
    await expectCleanOutcome(png.subarray(0, 20), 'image/png');
    await expectCleanOutcome(fixture('image-bomb-20000x20000.png').subarray(0, 100), 'image/png');
  });

  it('handles every accepted fixture cut short at many lengths', async () => {
    for (const f of fixtures.filter((item) => item.expect.startsWith('accept'))) {
      const bytes = fixture(f.file);
      for (const length of [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 100, 256, 512, bytes.length >> 1]) {
        if (length < bytes.length) await expectCleanOutcome(bytes.subarray(0, length), f.mimeType);
      }
    }
  });

  it('refuses 0xFF filler declared as MP3 (file-type calls it MPEG layer 1)', async () => {
    const error = await rejection(new Uint8Array(1024 * 1024).fill(0xff), 'audio/mpeg');
    expect(error.message).toBe(
      'The file content is audio/mpeg (.mp1), but mimeType says audio/mpeg.',
    );
  });

  it('bounds the time spent reading audio metadata', async () => {
    // A valid MPEG-1 layer 3 frame header, then bytes that send music-metadata's frame-sync
    // search down its slow path (about 3 s per MB without a budget).
    const bytes = new Uint8Array(4 * 1024 * 1024).fill(0xff);
    bytes.set([0xff, 0xfb, 0x90, 0x00], 0);
    // A clock that moves 60 ms per reading: the 100 ms budget runs out after the first 64 KB
    // chunk whatever the machine's speed (no timed assertion); the whole 4 MB is 64 chunks.
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => {
      now += 60;
      return now;
    });
    let media: InspectedMedia;
    try {
      media = await inspectMedia(bytes, 'audio/mpeg', { audioParseBudgetMs: 100 });
    } finally {
      clock.mockRestore();
    }
    expect(clock.mock.calls.length).toBeLessThan(10);
    // The bytes do start like an MP3, so it is accepted, with an unknown duration.
    expect(media).toMatchObject({ fileType: 'audio', mimeType: 'audio/mpeg', duration: null });
    // Even one chunk of the slow path can take seconds on a loaded machine: a generous limit
    // that only catches a parse that never ends.
  }, 60_000);

  it('handles HEIF boxes with corrupt sizes and counts', async () => {
    const heic = fixture('image-64x48.heic');
    for (let offset = 0; offset < 0x1c8; offset += 3) {
      const corrupt = heic.slice();
      corrupt[offset] = 0xff;
      await expectCleanOutcome(corrupt, 'image/heic');
    }
  });
});
