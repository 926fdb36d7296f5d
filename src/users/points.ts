/**
 * Points (seed 004's `prompt_points`). The database enforces them with triggers; this is the error
 * both job stores raise when a charge is refused, worded once.
 */
import { ReelqueueError } from '../errors.js';

export interface PointsShortfall {
  /** The owners of the jobs whose charge was refused. */
  userIds: string[];
  /** The cost of each of those jobs. */
  costPoints: number[];
}

export function insufficientPoints(shortfall: PointsShortfall, cause: unknown): ReelqueueError {
  const single = shortfall.userIds.length === 1 && shortfall.costPoints.length === 1;
  const message = single
    ? `User ${shortfall.userIds[0]} has fewer than the ${shortfall.costPoints[0]} points this job costs`
    : `A job's owner has fewer points than the job costs (users ${shortfall.userIds.join(', ')})`;
  return new ReelqueueError('INSUFFICIENT_POINTS', message, { ...shortfall }, { cause });
}

/** Who would be charged for these jobs: the owned jobs with a cost. */
export function chargedOwners(
  jobs: readonly { userId: string | null; costPoints: number }[],
): PointsShortfall {
  const charged = jobs.filter((job) => job.userId !== null && job.costPoints > 0);
  return {
    userIds: [...new Set(charged.map((job) => job.userId as string))],
    costPoints: charged.map((job) => job.costPoints),
  };
}
