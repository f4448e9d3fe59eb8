/** The local stream consumer's pause between polls (`local/stream-events.ts`). */
import { describe, expect, it } from 'vitest';
import { nextPollDelay } from '../../../local/stream-events.ts';

const limits = { busy: 200, idleMax: 1_000 };

describe('stream consumer: pause between polls', () => {
  it('stays short while polls find records', () => {
    expect(nextPollDelay(200, true, limits)).toBe(200);
    expect(nextPollDelay(1_000, true, limits)).toBe(200);
  });

  it('doubles while polls find nothing, up to the idle maximum', () => {
    const delays: number[] = [];
    let delay = limits.busy;
    for (let i = 0; i < 5; i++) {
      delay = nextPollDelay(delay, false, limits);
      delays.push(delay);
    }
    expect(delays).toEqual([400, 800, 1_000, 1_000, 1_000]);
  });
});
