/**
 * 7. Processing time per image (`--only=processing`): the CPU time of what `process-media`
 * computes for one stored image (`makeThumbnail` + `placeholderOf`, the work that holds a
 * Lambda execution busy), for typical sizes. docs/capacity.md sizes processing concurrency from
 * it (executions = images/s × seconds per image).
 *
 * CPU time (`process.cpuUsage`, every thread of the process: sharp's included) rather than wall
 * time: on a shared machine the wall clock measures the neighbours, and a Lambda execution of
 * 1,536 MB has about one vCPU to itself. Wall time is reported beside it. Images are generated
 * here (a 12 MP photo-like JPEG, the same as PNG) plus the HEIC fixture.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { placeholderOf } from '../lib/processing/placeholder.ts';
import { makeThumbnail } from '../lib/processing/thumbnail.ts';
import { type Stats, summarize } from './lib/stats.ts';

export interface ProcessingTime {
  label: string;
  megabytes: number;
  cpuMs: Stats;
  wallMs: Stats;
}

const fixture = (name: string) =>
  readFile(new URL(`../test/fixtures/media/${name}`, import.meta.url));

/** A photo-like 4032×3024 (12 MP) image: the fixture scaled up, with grain so it compresses like a photo. */
async function twelveMegapixels(): Promise<{ jpeg: Buffer; png: Buffer }> {
  const base = await sharp(await fixture('image-1600x900.jpg'))
    .resize(4032, 3024, { fit: 'fill' })
    .toBuffer();
  const grain = await sharp({
    create: {
      width: 4032,
      height: 3024,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 48 },
    },
  })
    .png()
    .toBuffer();
  const photo = sharp(base).composite([{ input: grain, blend: 'overlay' }]);
  return {
    jpeg: await photo.clone().jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer(),
    png: await photo.clone().png().toBuffer(),
  };
}

async function processOnce(bytes: Uint8Array, mimeType: string): Promise<void> {
  const result = await makeThumbnail(bytes, mimeType);
  if (result.kind !== 'made') throw new Error(`no thumbnail for ${mimeType}: ${result.kind}`);
  await placeholderOf(result.thumbnail.webp);
}

export async function measureProcessingTime(options: {
  repeats: number;
  log: (line: string) => void;
}): Promise<ProcessingTime[]> {
  const large = await twelveMegapixels();
  const images = [
    { label: 'JPEG 1600×900', bytes: await fixture('image-1600x900.jpg'), mimeType: 'image/jpeg' },
    { label: 'JPEG 4032×3024 (12 MP)', bytes: large.jpeg, mimeType: 'image/jpeg' },
    { label: 'PNG 4032×3024 (12 MP)', bytes: large.png, mimeType: 'image/png' },
    { label: 'HEIC 64×48', bytes: await fixture('image-64x48.heic'), mimeType: 'image/heic' },
  ];
  const results: ProcessingTime[] = [];
  for (const image of images) {
    // Warm-up: the first call loads codecs (and the WebAssembly HEIC decoder).
    await processOnce(image.bytes, image.mimeType);
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < options.repeats; i++) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await processOnce(image.bytes, image.mimeType);
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
    }
    results.push({
      label: image.label,
      megabytes: image.bytes.length / 1_000_000,
      cpuMs: summarize(cpu),
      wallMs: summarize(wall),
    });
    options.log(`processing: ${image.label} done`);
  }
  return results;
}
