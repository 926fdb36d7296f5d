/**
 * The columns of `jobs` that make a job (`Job` in src/jobs/model.ts), in one order both databases
 * use: SQLite reads a job as a JSON array of them (`JOB_ARRAY`, sqlite/job-row.ts), and an import
 * writes them as given (`IMPORTED_COLUMNS`, transfer-rows.ts). The points columns and the columns of
 * job dependencies are not among them.
 */
export const JOB_COLUMNS = [
  'id',
  'kind',
  'user_id',
  'lesson_id',
  'status',
  'priority',
  'payload',
  'progress',
  'stage',
  'message',
  'created_at',
  'updated_at',
  'run_at',
  'started_at',
  'completed_at',
  'timeout_seconds',
  'attempt',
  'retry_count',
  'max_retries',
  'worker_id',
  'lease_expires_at',
  'last_heartbeat',
  'cancel_requested_at',
  'cancel_reason',
  'result',
  'error_code',
  'error_message',
  'error_details',
  'idempotency_key',
  'processing_time_seconds',
  'lost_attempts',
  'deadline_at',
] as const;
