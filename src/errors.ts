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
  /** A segment of a split render failed after its retries (details: the segment and its error). */
  | 'SPLIT_SEGMENT_FAILED'
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
  /** A slide image (or the lesson's images together) over a size, pixel or count limit. */
  | 'IMAGE_TOO_LARGE'
  /** A slide image that is not PNG, JPEG, WebP or SVG (read from its bytes). */
  | 'IMAGE_FORMAT_UNSUPPORTED'
  /** A slide image's source the server will not read: a URL, a file path, an unknown asset. */
  | 'IMAGE_SOURCE_REFUSED'
  /** A slide image that cannot be read: bad base64, a corrupt or missing header. */
  | 'IMAGE_INVALID'
  /** An SVG slide image with scripts, event handlers, foreignObject or external references. */
  | 'SVG_UNSAFE'
  /** The speech provider (TTS_BASE_URL) failed: an error status, no connection, audio that is not WAV. */
  | 'TTS_PROVIDER_FAILED'
  /** The speech provider (TTS_BASE_URL) did not answer one sentence within TTS_TIMEOUT_SECONDS. */
  | 'TTS_PROVIDER_TIMEOUT'
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'PORT_IN_USE'
  /** A line of a job import (JSON Lines) is not a job this version can import: nothing was written. */
  | 'IMPORT_INVALID_LINE'
  /** An imported job's id (or owner and idempotency key) is taken, and the rule is `fail`. */
  | 'IMPORT_CONFLICT';

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
