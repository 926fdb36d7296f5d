/**
 * How far a split render is, for the CLI and the dashboard: in how many segments it is rendered and
 * how many are done. While it waits, read from its segments (the parents it waits for); once it
 * completed, from its result's `split_render`. Null for a job that is not rendered split (yet), and
 * once its segments are removed after it ended otherwise (ended-presentations.ts).
 */
import type { Job, JobDependencies } from '../../jobs/model.js';
import { ALL_JOBS, type JobStore } from '../../jobs/store.js';
import { SEGMENT_KIND } from './segment-payload.js';
import type { SplitStatus } from './split-status-line.js';

export { splitStatusLine, type SplitStatus } from './split-status-line.js';

/**
 * `family`: the job's dependencies when the caller read them already (the API's job resource), so
 * a job that waits for nothing costs no read of its own.
 */
export async function splitStatusOf(
  job: Job,
  jobs: Pick<JobStore, 'get' | 'dependencies'>,
  family?: JobDependencies | null,
): Promise<SplitStatus | null> {
  return (await splitRenderOf(job, jobs, family)).status;
}

/**
 * The split status and the ids of the segments the job waits for (empty once it completed): the
 * API leaves those out of the job's `depends_on`, since they are the render's own parts, which
 * belong to no user, not jobs the user made it wait for.
 */
export async function splitRenderOf(
  job: Job,
  jobs: Pick<JobStore, 'get' | 'dependencies'>,
  family?: JobDependencies | null,
): Promise<{ status: SplitStatus | null; segmentIds: ReadonlySet<string> }> {
  const none = { status: null, segmentIds: new Set<string>() };
  if (job.kind !== 'presentation') return none;
  const finished = job.result?.split_render;
  if (finished && typeof finished === 'object' && !Array.isArray(finished)) {
    const segments = Array.isArray(finished.segments) ? finished.segments.length : 0;
    return { status: { segments, done: segments }, segmentIds: new Set() };
  }
  if (family === undefined) family = await jobs.dependencies(job.id, ALL_JOBS);
  if (!family || family.parentIds.length === 0) return none;
  const parents = await Promise.all(family.parentIds.map((id) => jobs.get(id, ALL_JOBS)));
  const segments = parents.filter(
    (parent): parent is Job => parent?.kind === SEGMENT_KIND && parent.payload.owner_id === job.id,
  );
  if (segments.length === 0) return none;
  return {
    status: {
      segments: segments.length,
      done: segments.filter((segment) => segment.status === 'completed').length,
    },
    segmentIds: new Set(segments.map((segment) => segment.id)),
  };
}
