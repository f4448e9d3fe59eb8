/**
 * Under the local stack every new raster image is processed in the background (its thumbnail
 * appears a moment after the upload answered). Tests that compare an attachment over time
 * wait for that first, or upload a type without thumbnails (PDF, audio).
 */
import { api } from './stack.ts';

/** The attachment (as `GET /api/v1/media/{id}` answers) once its thumbnail is recorded. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
export async function waitForThumbnail(id: string, key: string, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api(`/api/v1/media/${id}`, { key });
    if (response.json?.thumbnailUrl) return response.json;
    if (Date.now() > deadline) throw new Error(`no thumbnail for ${id} after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
