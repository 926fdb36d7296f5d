/**
 * The segment kind's sweep (src/render/split/ended-presentations.ts), run by every reaper: the
 * segments of a split render whose presentation ended are cancelled and, once they have stopped,
 * deleted with their videos; those of a presentation still waiting are never touched, and the
 * presentation keeps its history. Run on both databases, with the stores alone (no ffmpeg).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { leaseOf, type Job } from '../../src/jobs/model.js';
import { ALL_JOBS, type JobStore } from '../../src/jobs/store.js';
import { sweepEndedPresentations } from '../../src/render/split/ended-presentations.js';
import { SEGMENT_KIND, SEGMENT_VIDEO } from '../../src/render/split/segment-payload.js';
import { SPLIT_PLAN } from '../../src/render/split/split-presentation.js';
import { eventTypes, mustGet, useConformanceDatabase } from '../support/conformance.js';
import { stubKind, type JobFactory } from '../support/job-factory.js';

const claimOne = async (store: JobStore, kind: string, workerId: string): Promise<Job> => {
  const [job] = await store.claim({ workerId, kinds: [kind], limit: 1, leaseSeconds: 30 });
  if (!job) throw new Error(`no ${kind} job to claim`);
  return job;
};

/** A presentation parked on `count` pending segments, with its stored plan. */
async function parkedOwner(jobs: JobFactory, store: JobStore, count: number) {
  await store.enqueue(jobs.resolve({ kind: 'presentation' }));
  const owner = await claimOne(store, 'presentation', 'planner');
  const segments: Job[] = [];
  for (let index = 0; index < count; index++) {
    const { job } = await store.enqueue(
      jobs.resolve({ kind: SEGMENT_KIND, userId: null, payload: { owner_id: owner.id, index } }),
    );
    segments.push(job);
  }
  return { owner, segments };
}

describe('the sweep of ended split renders', () => {
  const ctx = useConformanceDatabase();

  it('deletes an ended presentation’s segments once they stopped, never a waiting one’s', async () => {
    const { t, store, jobs } = ctx();
    jobs.kinds.register(stubKind(SEGMENT_KIND));
    const artifacts = t.db.artifacts;
    const ended = await parkedOwner(jobs, store, 3);
    await artifacts.write({
      source: Readable.from([Buffer.from('{}')]),
      lease: leaseOf(ended.owner),
      kind: SPLIT_PLAN,
      contentType: 'application/json',
    });
    await store.waitForJobs(
      leaseOf(ended.owner),
      ended.segments.map((s) => s.id),
      'waiting',
    );
    // One segment completed with its video, one running, one pending.
    const done = await claimOne(store, SEGMENT_KIND, 'segment-worker');
    const video = await artifacts.write({
      source: Readable.from([Buffer.from('video')]),
      lease: leaseOf(done),
      kind: SEGMENT_VIDEO,
      contentType: 'video/mp4',
    });
    await store.complete(leaseOf(done), { video_artifact_id: video.id });
    const running = await claimOne(store, SEGMENT_KIND, 'segment-worker');
    // Another presentation, still waiting on its segment.
    const waiting = await parkedOwner(jobs, store, 1);
    await store.waitForJobs(
      leaseOf(waiting.owner),
      waiting.segments.map((s) => s.id),
      'waiting',
    );

    expect(await sweepEndedPresentations(store, artifacts)).toBe(0);
    for (const segment of [...ended.segments, ...waiting.segments]) await mustGet(store, segment.id);

    await store.cancel(ended.owner.id, 'changed my mind', ALL_JOBS);
    expect(await sweepEndedPresentations(store, artifacts)).toBe(2);
    // The running one is asked to stop, and stays until it has.
    expect(await mustGet(store, running.id)).toMatchObject({ status: 'running' });
    expect((await mustGet(store, running.id)).cancelRequestedAt).not.toBeNull();
    expect(await store.get(done.id, ALL_JOBS)).toBeNull();
    expect(await artifacts.get(video.id)).toBeNull();
    expect(await artifacts.find(ended.owner.id, SPLIT_PLAN)).toBeNull();

    await store.markCancelled(leaseOf(running), 'its presentation is cancelled');
    expect(await sweepEndedPresentations(store, artifacts)).toBe(1);
    for (const segment of ended.segments) expect(await store.get(segment.id, ALL_JOBS)).toBeNull();

    // The presentation and its history stay; the other presentation's segment was never touched.
    expect(await mustGet(store, ended.owner.id)).toMatchObject({ status: 'cancelled' });
    expect(await eventTypes(store, ended.owner.id)).toEqual(['created', 'started', 'waiting', 'cancelled']);
    expect(await mustGet(store, waiting.segments[0]?.id as string)).toMatchObject({ status: 'pending' });
    expect(await mustGet(store, waiting.owner.id)).toMatchObject({ status: 'waiting' });
  });
});
