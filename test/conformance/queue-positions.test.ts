/**
 * A listing's queue positions, read for a whole page at once, are those a status read gives each
 * job: priorities, jobs due later, a batch added in one millisecond; none for jobs not pending.
 */
import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { useConformanceDatabase } from '../support/conformance.js';

describe('queue positions of a page of jobs', () => {
  const ctx = useConformanceDatabase();

  it('match the position a status read gives each pending job, and leave out the others', async () => {
    const { store, jobs } = ctx();
    const batch = await jobs.pendingMany(5, { kind: 'noop', priority: 'normal' });
    const urgent = await jobs.pending({ kind: 'noop', priority: 'urgent' });
    const low = await jobs.pending({ kind: 'noop', priority: 'low' });
    const later = await jobs.pending({
      kind: 'noop',
      priority: 'high',
      runAt: new Date(Date.now() + 3_600_000),
    });
    const high = await jobs.pending({ kind: 'noop', priority: 'high' });
    const done = await jobs.completed();
    const cancelled = await jobs.cancelled({ kind: 'noop' });
    const pending = [...batch, urgent, low, later, high];

    const ids = [...pending, done, cancelled].map((job) => job.id);
    const positions = await store.queuePositions([
      ...ids,
      '01a250d3-42f1-77ef-8537-e47a94b96508',
      'not-an-id',
    ]);
    const expected = new Map<string, number>();
    for (const job of pending) {
      const read = await store.getWithPosition(job.id, ALL_JOBS);
      expected.set(job.id, read!.queuePosition!);
    }
    expect(positions).toEqual(expected);
    expect(positions.get(urgent.id)).toBe(0);
    expect([...positions.values()].sort((a, b) => a - b)).toEqual(pending.map((_, i) => i));
    expect(await store.queuePositions([])).toEqual(new Map());
  });
});
