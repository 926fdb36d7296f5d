/**
 * How far a split render is, for the CLI and the dashboard: in how many segments it is rendered and
 * how many are done. While it waits, read from its segments (the parents it waits for); once it
 * completed, from its result's `split_render`. Null for a job that is not rendered split (yet).
 */
import type { Job } from '../../jobs/model.js';
import { ALL_JOBS, type JobStore } from '../../jobs/store.js';
import { SEGMENT_KIND } from './segment-payload.js';

export interface SplitStatus {
  readonly segments: number;
  readonly done: number;
}

export async function splitStatusOf(
  job: Job,
  jobs: Pick<JobStore, 'get' | 'dependencies'>,
): Promise<SplitStatus | null> {
  const finished = job.result?.split_render;
  if (finished && typeof finished === 'object' && !Array.isArray(finished)) {
    const segments = Array.isArray(finished.segments) ? finished.segments.length : 0;
    return { segments, done: segments };
  }
  const family = await jobs.dependencies(job.id, ALL_JOBS);
  if (!family || family.parentIds.length === 0) return null;
  const parents = await Promise.all(family.parentIds.map((id) => jobs.get(id, ALL_JOBS)));
  const segments = parents.filter(
    (parent): parent is Job => parent?.kind === SEGMENT_KIND && parent.payload.owner_id === job.id,
  );
  if (segments.length === 0) return null;
  return {
    segments: segments.length,
    done: segments.filter((segment) => segment.status === 'completed').length,
  };
}

export function splitStatusLine(status: SplitStatus): string {
  return `rendered in ${status.segments} segments, ${status.done} done`;
}
