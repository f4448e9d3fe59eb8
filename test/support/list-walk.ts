/**
 * Walks every page of `GET /api/v1/media` the way a client would, checking the page contract on
 * the way (size ≤ limit, `nextCursor` exactly when `hasMore`), and returns the ids in order.
 */
import { expect } from 'vitest';
import { api } from './stack.ts';

interface Page {
  items: Array<{ id: string; createdAt: number }>;
  hasMore: boolean;
  nextCursor: string | null;
}

/** `between(n, lastId)` runs after page n with the id the cursor points at. */
export async function walkList(
  query: string,
  key: string,
  limit: number,
  between?: (n: number, lastId: string) => Promise<void>,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 1000; n++) {
    const qs = new URLSearchParams(query);
    qs.set('limit', String(limit));
    if (cursor) qs.set('cursor', cursor);
    const response = await api(`/api/v1/media?${qs}`, { key });
    expect(response.status).toBe(200);
    const page = response.json as Page;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((item) => item.id));
    if (!page.hasMore) {
      expect(page.nextCursor).toBeNull();
      return ids;
    }
    expect(page.nextCursor).toEqual(expect.any(String));
    cursor = page.nextCursor;
    await between?.(n, page.items[page.items.length - 1]?.id as string);
  }
  throw new Error('pagination did not end');
}
