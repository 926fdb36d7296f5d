/**
 * A job as `GET /api/presentations/jobs/{id}` shows it and a webhook delivers it: its wire fields
 * and its place among the jobs it waits for and that wait for it (`depends_on`, `children`,
 * `on_parent_failure`), read in the caller's scope, and for a presentation rendered split, how far its
 * segments are (`split_render`, as `reelqueue jobs show` says it: split-status.ts); its segments are
 * not listed in `depends_on`.
 */
import type { Job, OnParentFailure } from '../../jobs/model.js';
import type { JobStore, Scope } from '../../jobs/store.js';
import { splitRenderOf, type SplitStatus } from '../../render/split/split-status.js';
import { jobToWire, type JobWire } from './job-wire.js';

export type JobWithFamilyWire = JobWire & {
  depends_on: string[];
  children: string[];
  on_parent_failure: OnParentFailure;
  split_render: { segments: number; done: number } | null;
};

const splitWire = (status: SplitStatus | null) =>
  status === null ? null : { segments: status.segments, done: status.done };

export async function jobWithFamilyToWire(
  jobs: Pick<JobStore, 'dependencies' | 'get'>,
  job: Job,
  scope: Scope,
  queuePosition: number | null = null,
): Promise<JobWithFamilyWire> {
  const family = await jobs.dependencies(job.id, scope);
  const split = await splitRenderOf(job, jobs, family);
  return {
    ...jobToWire(job, queuePosition),
    depends_on: (family?.parentIds ?? []).filter((id) => !split.segmentIds.has(id)),
    children: family?.childIds ?? [],
    on_parent_failure: family?.onParentFailure ?? 'fail',
    split_render: splitWire(split.status),
  };
}
