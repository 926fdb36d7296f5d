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
