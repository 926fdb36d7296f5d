import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WriteBatcher } from '../../src/jobs/write-batcher.js';

describe('WriteBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function recordingBatcher() {
    const batches: number[][] = [];
    const batcher = new WriteBatcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((item) => item * 10);
    });
    return { batches, batcher };
  }

  it('writes the items of one tick together, once the tick is over, and answers each', async () => {
    const { batches, batcher } = recordingBatcher();
    const answers = [1, 2, 3].map((item) => batcher.add(item));
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await Promise.all(answers)).toEqual([10, 20, 30]);
  });

  it('right after a batch, waits a millisecond for more; when idle, writes at once', async () => {
    const { batches, batcher } = recordingBatcher();
    void batcher.add(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1]]);

    void batcher.add(2);
    await vi.advanceTimersByTimeAsync(0);
    void batcher.add(3);
    expect(batches).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1], [2, 3]]);

    await vi.advanceTimersByTimeAsync(5);
    void batcher.add(4);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('rejects every item of a batch whose write failed, and goes on with the next', async () => {
    let fail = true;
    const batcher = new WriteBatcher<number, number>(async (items) => {
      if (fail) throw new Error('database gone');
      return items;
    });
    const first = [batcher.add(1), batcher.add(2)].map((answer) =>
      answer.catch((error: Error) => error.message),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.all(first)).toEqual(['database gone', 'database gone']);
    fail = false;
    const next = batcher.add(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(await next).toBe(3);
  });
});
