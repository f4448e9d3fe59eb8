/**
 * The security findings of issue 12 through the local HTTP adapter: file names that pretend to
 * be devices or paths, one length rule for names, and SVGs crafted to burn CPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testTable } from '../support/stack.ts';

const png = mediaBytes('image-64x48.png');

let s: Scenario;
beforeAll(async () => {
  s = await seedScenario(testTable());
});

const upload = (extra: Record<string, unknown>) =>
  api('/api/v1/media', {
    method: 'POST',
    key: s.author.key,
    body: {
      postId: s.posts.published,
      fileName: 'pic.png',
      mimeType: 'image/png',
      fileData: png.toString('base64'),
      ...extra,
    },
  });

describe('file names', () => {
  it.each([
    ['NUL.png', '_NUL.png'],
    ['com1.tar.gz', '_com1.tar.gz'],
    ['invoices\uff0f2026\u2215march.png', 'invoices2026march.png'],
    ['in\u200bvoice\u2060.png', 'invoice.png'],
  ])('%j is stored as %j, the original kept', async (sent, cleaned) => {
    const response = await upload({ fileName: sent });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ fileName: cleaned, originalFileName: sent });
    const read = await api(`/api/v1/media/${response.json.id}`, { key: s.author.key });
    expect(read.json).toMatchObject({ fileName: cleaned, originalFileName: sent });
  });

  it('counts 255 characters as code points: 128 emoji are accepted whole, 256 are a 400', async () => {
    const name = '😀'.repeat(128);
    const accepted = await upload({ fileName: name });
    expect(accepted.status).toBe(201);
    expect(accepted.json).toMatchObject({ fileName: name, originalFileName: name });

    const refused = await upload({ fileName: '😀'.repeat(256) });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({
      code: 'validation_error',
      details: { field: 'fileName' },
    });
  });
});

describe('crafted SVG', () => {
  const svg = (text: string) =>
    upload({
      fileName: 'x.svg',
      mimeType: 'image/svg+xml',
      fileData: Buffer.from(text).toString('base64'),
    });
  const root = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32"></svg>';

  it('refuses a prolog of 2 MB of DOCTYPE lines with 415, and the API keeps answering', async () => {
    const response = await svg(`${'<!DOCTYPE svg>\n'.repeat(140_000)}${root}`);
    expect(response.status).toBe(415);
    expect(response.json.error.message).toMatch(/first 1 MiB/);
    expect((await api('/health')).status).toBe(200);
  });

  it('accepts an SVG whose prolog fits the first MiB', async () => {
    const response = await svg(`${'<!DOCTYPE svg>\n'.repeat(60_000)}${root}`);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ width: 64, height: 32, mimeType: 'image/svg+xml' });
  });
});
