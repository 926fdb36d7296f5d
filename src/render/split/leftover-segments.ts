/**
 * Removes the segments of a split render that no plan will join: those of an earlier plan when the
 * job plans again (a manual retry, or a crash between queuing the segments and storing the plan),
 * and all of them once the job failed or its presentation ended. A finished segment is deleted, its
 * `segment-video` and its link to the owner with it (both cascade); an open one is cancelled first
 * (a running one stops its ffmpeg, and is deleted by the next removal, once it has ended: the
 * segment kind's sweep, ended-presentations.ts, makes one after its presentation ended).
 */
import { ReelqueueError } from '../../errors.js';
import { isFinished, type Job } from '../../jobs/model.js';
import { ALL_JOBS, type JobStore } from '../../jobs/store.js';
import { SEGMENT_KIND } from './segment-payload.js';

export type SegmentJobs = Pick<JobStore, 'list' | 'cancel' | 'deleteJob'>;

const PAGE = 200;

/** Every segment job (of `ownerId` only, when given), in any state: a walk of the kind's index. */
export async function segmentJobs(jobs: Pick<JobStore, 'list'>, ownerId?: string): Promise<Job[]> {
  const found: Job[] = [];
  let cursor: string | null = null;
  do {
    const page = await jobs.list(
      { kinds: [SEGMENT_KIND], includeFinished: true, limit: PAGE, cursor },
      ALL_JOBS,
    );
    found.push(...page.jobs.filter((job) => ownerId === undefined || job.payload.owner_id === ownerId));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return found;
}

/** A job that ended between the look and the delete, or was deleted by another removal. */
const raced = (error: unknown): boolean =>
  error instanceof ReelqueueError && (error.code === 'JOB_NOT_FINISHED' || error.code === 'JOB_NOT_FOUND');

/**
 * Cancels and deletes the segments of `ownerId` but those in `keep`; returns how many were deleted.
 * One still running is left cancelling (it is deleted by a later removal).
 */
export async function removeSegmentsOf(
  jobs: SegmentJobs,
  ownerId: string,
  reason: string,
  keep: ReadonlySet<string> = new Set(),
): Promise<number> {
  const segments = await segmentJobs(jobs, ownerId);
  return removeSegments(
    jobs,
    segments.filter((segment) => !keep.has(segment.id)),
    reason,
  );
}

/**
 * Cancels and deletes these segments (as `removeSegmentsOf` read them); returns how many were
 * deleted. One still running is left cancelling.
 */
export async function removeSegments(
  jobs: SegmentJobs,
  segments: readonly Job[],
  reason: string,
): Promise<number> {
  let deleted = 0;
  for (const segment of segments) {
    let finished = isFinished(segment.status);
    // Asked already (an earlier removal): it stops on its own; asking again only adds events.
    if (segment.status === 'running' && segment.cancelRequestedAt !== null) continue;
    if (!finished) {
      try {
        finished = (await jobs.cancel(segment.id, reason, ALL_JOBS)).state !== 'requested';
      } catch (error) {
        if (!raced(error)) throw error;
        continue;
      }
    }
    if (!finished) continue;
    try {
      await jobs.deleteJob(segment.id, ALL_JOBS);
      deleted++;
    } catch (error) {
      if (!raced(error)) throw error;
    }
  }
  return deleted;
}
