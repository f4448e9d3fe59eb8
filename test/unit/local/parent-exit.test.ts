import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onParentExit } from '../../../local/parent-exit.ts';

describe('onParentExit', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires once when the parent PID changes (re-parented orphan), not before', () => {
    let parent = 4242;
    const gone = vi.fn();
    onParentExit(gone, { intervalMs: 100, parentPid: () => parent });
    vi.advanceTimersByTime(1_000);
    expect(gone).not.toHaveBeenCalled();
    parent = 1;
    vi.advanceTimersByTime(100);
    expect(gone).toHaveBeenCalledTimes(1);
    parent = 77; // a later change is not a second exit
    vi.advanceTimersByTime(1_000);
    expect(gone).toHaveBeenCalledTimes(1);
  });

  it('stops watching when asked', () => {
    let parent = 4242;
    const gone = vi.fn();
    const stop = onParentExit(gone, { intervalMs: 100, parentPid: () => parent });
    stop();
    parent = 1;
    vi.advanceTimersByTime(1_000);
    expect(gone).not.toHaveBeenCalled();
  });
});
