/**
 * The segment kind's sweep (`JobKind.sweep`, run by every reaper sweep): what is left of split
 * renders whose presentation ended without joining them (it was cancelled, failed, or timed out while
 * it waited). Their segments are cancelled (a running one stops its ffmpeg at once, as any cancel
 * does) and, once they have stopped, deleted with their videos and their links to the presentation.
 * A segment is deleted only when its presentation has ended or is gone, never while it may still be
 * joined; the presentation itself and its log stay. The narration and plan kept for the join go too,
 * those of the run that ended only: a retry's new plan (a later attempt's) is left alone.
 */
import type { ArtifactStore } from '../../artifacts/store.js';
import { isFinished, type Job } from '../../jobs/model.js';
import { ALL_JOBS, type JobStore } from '../../jobs/store.js';
import { removeSegments, segmentJobs } from './leftover-segments.js';
import { SPLIT_NARRATION, SPLIT_PLAN } from './split-presentation.js';

export type SweptJobs = Pick<JobStore, 'get' | 'list' | 'cancel' | 'deleteJob'>;

/** Removes the segments of ended presentations; returns how many segments it deleted. */
export async function sweepEndedPresentations(jobs: SweptJobs, artifacts: ArtifactStore): Promise<number> {
  const byOwner = new Map<string, Job[]>();
  // Read before the owners: a segment a retry queues after this read is never in a list removed below.
  for (const segment of await segmentJobs(jobs)) {
    const ownerId = String(segment.payload.owner_id);
    byOwner.set(ownerId, [...(byOwner.get(ownerId) ?? []), segment]);
  }
  let deleted = 0;
  for (const [ownerId, segments] of byOwner) {
    const owner = await jobs.get(ownerId, ALL_JOBS);
    if (owner && !isFinished(owner.status)) continue;
    const reason = `its presentation ${ownerId} ${owner ? `ended ${owner.status}` : 'is gone'}`;
    deleted += await removeSegments(jobs, segments, reason);
    if (owner && owner.status !== 'completed') await dropJoinArtifacts(artifacts, owner);
  }
  return deleted;
}

/**
 * Deletes the narration and plan that the ended attempt of `owner` (or an earlier one) wrote; the
 * plan last: once it is gone, so is everything the join would have read.
 */
async function dropJoinArtifacts(artifacts: ArtifactStore, owner: Job): Promise<void> {
  for (const kind of [SPLIT_NARRATION, SPLIT_PLAN]) {
    const found = await artifacts.find(owner.id, kind);
    if (found && found.attempt <= owner.attempt) await artifacts.delete(found.id);
  }
}
