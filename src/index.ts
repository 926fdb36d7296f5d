/** reelqueue's public API: an explicit list, never `export *`. */
export { createReelqueue, type Reelqueue, type ReelqueueOptions } from './app.js';
export type { ArtifactInfo, ArtifactKind, ByteRange } from './artifacts/model.js';
export type { ArtifactStore } from './artifacts/store.js';
export { loadConfig, type Config, type SettingsInput } from './config.js';
export type { OpenDatabase } from './db/open-database.js';
export { defaultKinds } from './default-kinds.js';
export { ReelqueueError, isReelqueueError, type ErrorCode } from './errors.js';
export { KindRegistry, type JobContext, type JobKind, type ParentResult } from './jobs/kinds.js';
export {
  JOB_PRIORITIES,
  JOB_STATUSES,
  ON_PARENT_FAILURE,
  type Job,
  type JobDependencies,
  type JobEvent,
  type JobPriority,
  type JobStatus,
  type JsonObject,
  type Lease,
  type NewJob,
  type OnParentFailure,
} from './jobs/model.js';
export { ALL_JOBS, FROM_THE_START, ownedBy, type JobStore, type Scope } from './jobs/store.js';
export { Worker, type WorkerSettings } from './jobs/worker.js';
export { presentationKind, type PresentationKindOptions } from './render/presentation-kind.js';
export {
  CATCH_UP_POLICIES,
  SCHEDULED_FOR_FIELD,
  type CatchUpPolicy,
  type NewSchedule,
  type Schedule,
  type ScheduleChanges,
} from './schedules/model.js';
export { Scheduler, type FiredTick, type SchedulerSettings } from './schedules/scheduler.js';
export type { Schedules } from './schedules/service.js';
export type { ScheduleStore } from './schedules/store.js';
export { ensureAdminKey, type AdminKeyOptions, type AdminKeyOutcome } from './users/bootstrap.js';
export {
  USER_ROLES,
  type ApiKey,
  type Authenticated,
  type CreatedKey,
  type NewUser,
  type User,
  type UserRole,
  type UserUsage,
} from './users/model.js';
export type { UserStore } from './users/store.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  verifyWebhook,
  type Verification,
  type VerifyOptions,
} from './webhooks/signature.js';
