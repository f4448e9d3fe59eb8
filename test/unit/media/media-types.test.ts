import { describe, expect, it } from 'vitest';
import { UnsupportedMediaTypeError } from '../../../lib/errors.ts';
import { MEDIA_TYPES, resolveDeclaredType } from '../../../lib/media/media-types.ts';
import { FILE_TYPES } from '../../../lib/media/types.ts';

function rejection(mimeType: string): UnsupportedMediaTypeError {
  try {
    resolveDeclaredType(mimeType);
  } catch (error) {
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    return error as UnsupportedMediaTypeError;
  }
  throw new Error(`${mimeType} was accepted`);
}

describe('resolveDeclaredType', () => {
  it.each([
    ['image/jpeg', 'image', 'image/jpeg', 'jpg'],
    ['image/png', 'image', 'image/png', 'png'],
    ['image/gif', 'image', 'image/gif', 'gif'],
    ['image/webp', 'image', 'image/webp', 'webp'],
    ['image/avif', 'image', 'image/avif', 'avif'],
    ['image/heic', 'image', 'image/heic', 'heic'],
    ['image/svg+xml', 'image', 'image/svg+xml', 'svg'],
    ['audio/mpeg', 'audio', 'audio/mpeg', 'mp3'],
    ['audio/mp4', 'audio', 'audio/mp4', 'm4a'],
    ['audio/wav', 'audio', 'audio/wav', 'wav'],
    ['audio/ogg', 'audio', 'audio/ogg', 'ogg'],
    ['audio/opus', 'audio', 'audio/opus', 'opus'],
    ['audio/flac', 'audio', 'audio/flac', 'flac'],
    ['audio/aac', 'audio', 'audio/aac', 'aac'],
    ['audio/aiff', 'audio', 'audio/aiff', 'aiff'],
    ['application/pdf', 'document', 'application/pdf', 'pdf'],
    ['application/json', 'lottie', 'application/json', 'json'],
  ])('accepts %s', (mimeType, fileType, canonicalMimeType, extension) => {
    expect(resolveDeclaredType(mimeType)).toEqual({ fileType, canonicalMimeType, extension });
  });

  it.each([
    ['image/jpg', 'image/jpeg'],
    ['image/heif', 'image/heic'],
    ['audio/mp3', 'audio/mpeg'],
    ['audio/x-m4a', 'audio/mp4'],
    ['audio/x-wav', 'audio/wav'],
    ['audio/wave', 'audio/wav'],
    ['audio/vnd.wave', 'audio/wav'],
    ['audio/x-flac', 'audio/flac'],
    ['audio/x-aiff', 'audio/aiff'],
    ['application/lottie+json', 'application/json'],
  ])('resolves the alias %s to %s', (alias, canonical) => {
    expect(resolveDeclaredType(alias).canonicalMimeType).toBe(canonical);
  });

  it('ignores case, surrounding spaces and parameters', () => {
    expect(resolveDeclaredType('IMAGE/PNG').canonicalMimeType).toBe('image/png');
    expect(resolveDeclaredType(' image/png ').canonicalMimeType).toBe('image/png');
    expect(resolveDeclaredType('application/json; charset=utf-8').fileType).toBe('lottie');
    expect(resolveDeclaredType('audio/ogg; codecs=opus').canonicalMimeType).toBe('audio/ogg');
  });

  it.each(['video/mp4', 'video/quicktime', 'VIDEO/WEBM; codecs=vp9'])(
    'sends %s to the web interface',
    (mimeType) => {
      const error = rejection(mimeType);
      expect(error.statusCode).toBe(415);
      expect(error.code).toBe('unsupported_media_type');
      expect(error.message).toMatch(/^Video files can't be uploaded through the API/);
      expect(error.message).toContain('web interface');
    },
  );

  it.each([
    'model/gltf-binary',
    'model/gltf+json',
    'model/obj',
    'model/stl',
    'application/vnd.ms-pki.stl',
  ])('sends the 3D model type %s to the web interface', (mimeType) => {
    expect(rejection(mimeType).message).toMatch(/^3D model files .*web interface/);
  });

  it.each(['application/octet-stream', 'text/html', 'image/bmp', 'image/tiff', 'text/plain', ''])(
    'rejects %j as unsupported, listing what is allowed',
    (mimeType) => {
      const { message } = rejection(mimeType);
      expect(message).toContain('not supported');
      expect(message).not.toContain('web interface');
      for (const kind of ['JPEG', 'HEIC/HEIF', 'SVG', 'MP3', 'AIFF', 'PDF', 'Lottie']) {
        expect(message).toContain(kind);
      }
    },
  );

  it('names the rejected type, cut short', () => {
    expect(rejection('text/html').message).toContain('"text/html"');
    expect(rejection(`x/${'a'.repeat(5000)}`).message.length).toBeLessThan(600);
  });
});

describe('MEDIA_TYPES', () => {
  it('covers every file type with unique canonical types', () => {
    expect(new Set(MEDIA_TYPES.map((entry) => entry.fileType))).toEqual(new Set(FILE_TYPES));
    const canonical = MEDIA_TYPES.map((entry) => entry.canonicalMimeType);
    expect(new Set(canonical).size).toBe(canonical.length);
  });

  it('gives every entry a lowercase extension without a dot', () => {
    for (const entry of MEDIA_TYPES) expect(entry.extension).toMatch(/^[a-z0-9]+$/);
  });
});
