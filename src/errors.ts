/**
 * Errors with stable codes. Callers match on `code`, never on message text; the HTTP layer maps a
 * code to a status in one place.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'VALIDATION_FAILED'
  | 'UNKNOWN_KIND'
  | 'INVALID_PAYLOAD'
  | 'INVALID_PRIORITY'
  | 'INVALID_TIMEOUT'
  | 'INVALID_STATUS'
  | 'JOB_NOT_FOUND'
  /** A job named in `depends_on` does not exist or is not the caller's: nothing was queued. */
  | 'PARENT_NOT_FOUND'
  | 'JOB_NOT_RETRYABLE'
  | 'JOB_NOT_CANCELLABLE'
  | 'JOB_NOT_FINISHED'
  /** Only a pending job's priority can change: it is running or finished. */
  | 'JOB_NOT_PENDING'
  | 'RETRY_LIMIT_REACHED'
  | 'LEASE_LOST'
  | 'JOB_CANCELLED'
  | 'JOB_TIMEOUT'
  | 'WORKER_SHUTDOWN'
  | 'WORKER_LOST'
  /** A job's worker was lost more than MAX_LOST_ATTEMPTS times: the job ended failed. */
  | 'WORKER_LOST_REPEATEDLY'
  | 'HANDLER_FAILED'
  | 'DATABASE_UNAVAILABLE'
  | 'DATABASE_BUSY'
  | 'DATABASE_NOT_FOUND'
  | 'MIGRATION_FAILED'
  | 'SCHEMA_TOO_NEW'
  | 'ARTIFACT_NOT_FOUND'
  | 'ARTIFACT_INCOMPLETE'
  | 'RENDER_FILE_MISSING'
  | 'RENDER_FILE_UNREADABLE'
  | 'RANGE_NOT_SATISFIABLE'
  | 'INSUFFICIENT_POINTS'
  | 'TOO_MANY_JOBS'
  | 'USER_NOT_FOUND'
  | 'KEY_NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'WALLET_TAKEN'
  | 'LESSON_NOT_FOUND'
  | 'SCHEDULE_NOT_FOUND'
  /** A schedule of that name exists already. */
  | 'SCHEDULE_EXISTS'
  | 'INVALID_CRON'
  | 'INVALID_TIME_ZONE'
  | 'WEBHOOK_FAILED'
  | 'WEBHOOK_ROTATION_IN_PROGRESS'
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'PORT_IN_USE';

export class ReelqueueError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReelqueueError';
    this.code = code;
    this.details = details;
  }
}

export function isReelqueueError(error: unknown, code?: ErrorCode): error is ReelqueueError {
  return error instanceof ReelqueueError && (code === undefined || error.code === code);
}

/** A one-line description of anything thrown, for logs and job error messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
