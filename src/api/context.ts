/** What the routes need, passed in by the server (never imported from a global). */
import type { Reelqueue } from '../app.js';
import type { ArtifactStore } from '../artifacts/store.js';
import type { UserStore } from '../users/store.js';
import type { Authenticator, Caller } from './caller.js';

export interface ApiLimits {
  /** Queued + running jobs one user may have. */
  maxActiveJobsPerUser: number;
  /** Requests per minute per API key (0: no limit). */
  requestsPerMinute: number;
  /** The two limits above for a key whose role is not `user` (admin; a service key). */
  admin: { maxActiveJobs: number; requestsPerMinute: number };
  /** Failed authentications per client address per minute (0: no limit). */
  failedAuthPerMinute: number;
}

export interface ApiContext {
  users: UserStore;
  app: Reelqueue;
  artifacts: ArtifactStore;
  authenticator: Authenticator;
  limits: ApiLimits;
  /** Points a presentation job costs (JOB_COST_POINTS). */
  jobCostPoints: number;
}

/**
 * Queued + running jobs the caller may have: end users get MAX_ACTIVE_JOBS_PER_USER, every other
 * role (admin keys, a backend's service key) ADMIN_MAX_ACTIVE_JOBS.
 */
export function activeLimitFor(limits: ApiLimits, caller: Caller): number {
  return caller.role === 'user' ? limits.maxActiveJobsPerUser : limits.admin.maxActiveJobs;
}

/**
 * The limit a retry by `caller` applies to a job's owner: the caller's own limit for its own jobs,
 * the user limit for anyone else's (an admin retrying a user's job is held to that user's limit).
 */
export function retryLimitFor(limits: ApiLimits, caller: Caller): (ownerId: string) => number {
  return (ownerId) =>
    ownerId === caller.userId ? activeLimitFor(limits, caller) : limits.maxActiveJobsPerUser;
}
