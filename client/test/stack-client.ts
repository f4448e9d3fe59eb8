/**
 * Client tests against the real local stack (`test/support/global-setup.ts`): a seeded
 * workspace, clients for its users, fresh posts, and test files.
 */
import { readFileSync } from 'node:fs';
import { createPost } from '../../lib/directory/admin/posts.ts';
import { type Scenario, seedScenario } from '../../test/support/seed.ts';
import { apiUrl, testTable } from '../../test/support/stack.ts';
import { MediaClient, type MediaClientOptions } from '../src/client.ts';

export const fixture = (name: string): Uint8Array =>
  readFileSync(new URL(`../../test/fixtures/media/${name}`, import.meta.url));

export const png = fixture('image-64x48.png');

/** A valid PNG of exactly `size` bytes (the fixture, padded with zeros after its end). */
export function pngOfSize(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set(png);
  // Different files must differ: the last bytes carry a counter.
  counter += 1;
  new DataView(bytes.buffer).setUint32(size - 4, counter);
  return bytes;
}
let counter = 0;

export async function seed(): Promise<Scenario> {
  return seedScenario(testTable());
}

/** A new published post by `authorId` in the scenario's public project. */
export async function freshPost(s: Scenario, authorId = s.author.id): Promise<string> {
  const post = await createPost(testTable(), {
    projectId: s.publicProjectId,
    authorId,
    title: 'Client test',
    status: 'published',
  });
  return post.id;
}

export function clientFor(key: string, options: Partial<MediaClientOptions> = {}): MediaClient {
  return new MediaClient({ baseUrl: apiUrl(), apiKey: key, retry: { baseDelayMs: 1 }, ...options });
}

export async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
