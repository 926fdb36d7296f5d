/**
 * A segment's reports of its owner's bar (split render): at most one a second while it encodes, and
 * the last one always, even when an earlier report is still being written as the encode ends (that
 * one was skipped, and the bar stayed at 84 % until the join: seen in CI). Run on both databases.
 */
import { describe, expect, it } from 'vitest';
import { leaseOf, type Job } from '../../src/jobs/model.js';
import { FROM_THE_START, type JobStore } from '../../src/jobs/store.js';
import { SEGMENT_KIND } from '../../src/render/split/segment-payload.js';
import { ownerReporter } from '../../src/render/split/segment-kind.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { stubKind } from '../support/job-factory.js';

describe("a segment's reports of its owner's progress", () => {
  const ctx = useConformanceDatabase();

  it('writes the final report even while an earlier one is still being written', async () => {
    const { store, jobs } = ctx();
    jobs.kinds.register(stubKind('owner-report'));
    jobs.kinds.register(stubKind(SEGMENT_KIND));
    await store.enqueue(jobs.resolve({ kind: 'owner-report' }));
    const [owner] = await store.claim({
      workerId: 'planner',
      kinds: ['owner-report'],
      limit: 1,
      leaseSeconds: 30,
    });
    const segment = (
      await store.enqueue(
        jobs.resolve({ kind: SEGMENT_KIND, payload: { owner_id: (owner as Job).id, index: 0, frames: 25 } }),
      )
    ).job;
    await store.waitForJobs(leaseOf(owner as Job), [segment.id], 'Rendering 1 segment');

    // The real store, its first read of the owner's segments held until released: the report in
    // flight when the encode ends.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const slowFirstRead: Parameters<typeof ownerReporter>[0] = {
      get: (id, scope) => store.get(id, scope),
      cancel: (id, reason, scope) => store.cancel(id, reason, scope),
      list: (query, scope) => store.list(query, scope),
      deleteJob: (...args: Parameters<JobStore['deleteJob']>) => store.deleteJob(...args),
      reportWaitingProgress: (id, update) => store.reportWaitingProgress(id, update),
      dependencies: async (id, scope) => {
        if (first) {
          first = false;
          await held;
        }
        return store.dependencies(id, scope);
      },
    };
    const report = ownerReporter(slowFirstRead, { id: segment.id, ownerId: (owner as Job).id, frames: 25 });
    const halfway = report(0.5);
    const last = report(1, true);
    release();
    await Promise.all([halfway, last]);

    const bar = (await store.listEvents((owner as Job).id, FROM_THE_START, 100))
      .filter((event) => event.type === 'progress')
      .map((event) => event.progress);
    expect(bar).toEqual([50, 85]);
  });
});
