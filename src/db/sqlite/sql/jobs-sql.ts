/**
 * Every SQL statement of the SQLite job store. Values are bind parameters; the only text pasted in
 * is the constant clock expression below and the row-count casts of `boundCount`.
 */
import { JOB_PRIORITIES } from '../../../jobs/model.js';
import { COUNT_BY_STATUS, IS_FINISHED } from '../../status-predicates.js';
import { JOB_FIELDS, JSON_FIELDS } from '../job-row.js';
import { boundCount } from './bound-count.js';

/** SQLite's clock, in integer milliseconds: the one clock every lease decision uses. */
export const NOW = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

/** A job row as the text of one JSON array, fields in `JOB_FIELDS` order (`jobFromArray`); `table` an alias. */
const jobArray = (table?: string): string =>
  `json_array(${JOB_FIELDS.map((field) => {
    const column = table ? `${table}.${field}` : field;
    return JSON_FIELDS.has(field) ? `json(${column})` : column;
  }).join(', ')})`;

/** What every statement that returns jobs returns: one `jobArray` per job. */
export const JOB_ARRAY = jobArray();

const ifCancelRequested = (then: string, otherwise: string) =>
  `CASE WHEN cancel_requested_at IS NOT NULL THEN ${then} ELSE ${otherwise} END`;

const FENCE = `id = @jobId AND attempt = @attempt AND worker_id = @workerId AND status = 'running'`;
/**
 * Three counts, each a range of jobs_claim_idx (priority DESC, run_at, id), so the work is the number
 * of jobs ahead: those of a higher priority, those of the same priority due earlier, and those due at
 * the same time with a lower id (a batch). One count with an OR scans the whole index; a row-value
 * `(run_at, id) <` range stops at run_at and walks the whole batch. INDEXED BY: without statistics
 * SQLite may prefer walking every pending job in another index (jobs_pending_created_idx).
 */
function jobsAhead(): string {
  const pendingAhead = (test: string) =>
    `(SELECT count(*) FROM jobs AS ahead INDEXED BY jobs_claim_idx
      WHERE ahead.status = 'pending' AND ${test})`;
  return `${pendingAhead('ahead.priority > me.priority')}
      + ${pendingAhead('ahead.priority = me.priority AND ahead.run_at < me.run_at')}
      + ${pendingAhead('ahead.priority = me.priority AND ahead.run_at = me.run_at AND ahead.id < me.id')}`;
}

function withPosition(ownerTest: string): string {
  return `
    SELECT ${jobArray('me')}, CASE WHEN me.status = 'pending' THEN
      ${jobsAhead()}
    END AS ahead
    FROM jobs AS me
    WHERE me.id = @id ${ownerTest}`;
}

/** An orphan goes back to the queue: fewer than @maxLostAttempts of its attempts were lost before. */
const REQUEUE_LOST = 'lost_attempts < @maxLostAttempts';
const REQUEUE_LOST_UNLESS_CANCELLED = `cancel_requested_at IS NULL AND ${REQUEUE_LOST}`;

/** The parents of the job being updated that it still waits for (fail/cancel: all but completed). */
const PARENTS_LEFT = `(
  SELECT count(*) FROM job_dependencies AS d JOIN jobs AS p ON p.id = d.parent_id
  WHERE d.child_id = jobs.id AND p.status <> 'completed'
    AND NOT (jobs.on_parent_failure = 'run'
      AND (p.status = 'failed' OR p.status = 'cancelled' OR p.status = 'timeout')))`;

/**
 * The progress of the `started` event a row holds: what the claim kept (`claim`'s progress), read
 * from the event that made the job claimable again (`ready` when its last parent ended, `waiting`
 * when none was left); 0 otherwise. Trigger jobs_store_held_events stores the same (migration 0034).
 */
export const HELD_STARTED_PROGRESS = `coalesce((SELECT CASE WHEN e.type = 'ready' OR e.type = 'waiting'
    THEN e.progress ELSE 0 END FROM job_events AS e WHERE e.job_id = jobs.id AND e.id < jobs.started_event_id
    ORDER BY e.id DESC LIMIT 1), 0)`;

/**
 * The `started` and `completed` events a row holds (migration 0034), as `selectEvents` and the export
 * read them: columns of `job_events`, for the rows of `jobs` that `where` keeps.
 */
export const heldEvents = (where: string): string => `
    SELECT started_event_id AS id, id AS job_id, started_at AS at, 'started' AS type, 'running' AS status,
      ${HELD_STARTED_PROGRESS} AS progress, NULL AS stage, 'Started' AS message, attempt, worker_id,
      NULL AS data
    FROM jobs WHERE ${where} AND started_event_id IS NOT NULL
    UNION ALL
    SELECT completed_event_id, id, completed_at, 'completed', 'completed', 100, stage, 'Completed',
      attempt, worker_id, NULL
    FROM jobs WHERE ${where} AND completed_event_id IS NOT NULL`;

export const jobsSql = {
  /**
   * A batch of new jobs in one statement: @jobs is a JSON array of [id, kind, user_id, lesson_id,
   * priority, payload, run_at, timeout_seconds, max_retries, idempotency_key, cost_points] rows
   * (`newJobsJson`), @now the transaction's clock (`now`). Returns the ids it inserted; a job whose idempotency key is taken is
   * skipped, a taken id aborts the statement. One statement, not one per job: SQLite then opens one
   * statement journal and one table for RETURNING per batch instead of per job. Trigger
   * jobs_points_charge (migration 0004) charges each owner, or aborts the whole statement when one is
   * short. Batches are read with `jsonb_each` (here and in completeMany): it hands each element over
   * as JSONB, which `->>` reads as is; `json_each` hands it over as text, which every `->>` parsed
   * again (half of SQLite's instructions in a claim, complete and enqueue loop).
   */
  insertMany: `
    INSERT INTO jobs (id, kind, user_id, lesson_id, status, priority, payload, created_at, updated_at,
      run_at, timeout_seconds, max_retries, idempotency_key, cost_points)
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, 'pending', value ->> 4, value -> 5,
      @now, @now, coalesce(value ->> 6, @now), value ->> 7, value ->> 8, value ->> 9, value ->> 10
    FROM jsonb_each(@jobs)
    -- WHERE true: without it SQLite would read ON CONFLICT as part of the SELECT's join.
    WHERE true
    -- A taken idempotency key skips the job; a taken id aborts the statement (jobIdTaken).
    ON CONFLICT (coalesce(user_id, ''), idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id`,

  /** Pending and running jobs of @userId for the active-jobs limit (webhook deliveries are ours, not theirs). */
  countActive: `
    SELECT count(*) AS active FROM jobs
    WHERE user_id = @userId AND status IN ('pending', 'running') AND kind <> 'webhook'`,

  /** Of the job ids @ids (a JSON array), those already stored, to name a taken id. */
  selectStoredIds: `SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(@ids))`,

  selectByIdempotencyKey: `
    SELECT ${JOB_ARRAY} FROM jobs WHERE coalesce(user_id, '') = coalesce(@userId, '') AND idempotency_key = @key`,

  insertEvent: `
    INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
    VALUES (@jobId, ${NOW}, @type, @status, @progress, @stage, @message, @attempt, @workerId, @data)`,

  /**
   * The events' counter (migration 0034), read by a claim before it reserves an id above it for each
   * job it claims (`started_event_id`); `reserveEventIds` then moves it past them, in the same
   * transaction. Nothing the claim runs stores an event, so no id is taken meanwhile.
   */
  eventIdCounter: `SELECT seq FROM sqlite_sequence WHERE name = 'job_events'`,
  /** Moves the events' counter past @count reserved ids; returns the last id before them. */
  reserveEventIds: `
    UPDATE sqlite_sequence SET seq = seq + CAST(@count AS INTEGER) WHERE name = 'job_events'
    RETURNING seq - CAST(@count AS INTEGER) AS base`,

  /**
   * @eventBase the events' counter (`eventIdCounter`): the claimed jobs' `started` events take the
   * ids above it, in claim order (row_number over the claim index's order; no sort).
   */
  claim: `
    UPDATE jobs SET status = 'running', attempt = attempt + 1, worker_id = @workerId,
      started_event_id = CAST(@eventBase AS INTEGER) + picked.n,
      started_at = ${NOW}, updated_at = ${NOW}, last_heartbeat = ${NOW},
      lease_expires_at = ${NOW} + CAST(@leaseMs AS INTEGER), stage = NULL, message = 'Started',
      -- The attempt's deadline, from its first run: one coming back from waiting keeps it (0036).
      deadline_at = coalesce(deadline_at, ${NOW} + timeout_seconds * 1000),
      -- A job coming back from waiting on jobs it started keeps the bar they moved: it never goes
      -- back (a split render's join starts at 85 %, not 0). A child of the rule 'run' that never
      -- ran has 0 anyway.
      progress = CASE WHEN on_parent_failure = 'run'
        AND EXISTS (SELECT 1 FROM job_dependencies d WHERE d.child_id = jobs.id) THEN progress ELSE 0 END
    FROM (
      SELECT id AS picked_id, row_number() OVER () AS n FROM (
        SELECT id FROM jobs INDEXED BY jobs_claim_idx
        WHERE status = 'pending' AND run_at <= ${NOW} AND kind IN (SELECT value FROM json_each(@kinds))
        ORDER BY priority DESC, run_at, id
        LIMIT ${boundCount('limit')})) AS picked
    WHERE jobs.id = picked.picked_id
    RETURNING ${JOB_ARRAY}`,

  /**
   * @kinds (JSON array): ms until the earliest pending job of those kinds that is not due yet, or
   * NULL. Per priority, the first such entry of jobs_claim_idx from now on: a short range each.
   */
  msUntilNextDue: `
    SELECT min(run_at) - ${NOW} AS ms FROM (
      SELECT (SELECT run_at FROM jobs INDEXED BY jobs_claim_idx
        WHERE status = 'pending' AND priority = p.value AND run_at > ${NOW}
          AND kind IN (SELECT value FROM json_each(@kinds))
        ORDER BY priority DESC, run_at, id LIMIT 1) AS run_at
      FROM json_each('${JSON.stringify(JOB_PRIORITIES.map((_, rank) => rank))}') AS p)`,

  countByStatus: COUNT_BY_STATUS,

  /** An owner's jobs by status (jobs_user_created_idx). */
  countByStatusOfOwner: `SELECT status, count(*) AS count FROM jobs WHERE user_id = @userId GROUP BY status`,

  /** Running jobs whose cancellation was asked for (few: running jobs are; jobs_lease_idx finds them). */
  selectCancelRequested: `SELECT id FROM jobs WHERE status = 'running' AND cancel_requested_at IS NOT NULL`,

  heartbeat: `
    UPDATE jobs SET last_heartbeat = ${NOW}, lease_expires_at = ${NOW} + CAST(@leaseMs AS INTEGER)
    WHERE ${FENCE}
    RETURNING cancel_requested_at, cancel_reason`,

  progress: `
    UPDATE jobs SET progress = @progress, stage = @stage, message = @message, updated_at = ${NOW},
      last_heartbeat = ${NOW}
    WHERE ${FENCE}
    RETURNING ${JOB_ARRAY}`,

  /** @eventId the `completed` event's id, reserved by `reserveEventIds`. */
  complete: `
    UPDATE jobs SET status = 'completed', progress = 100, message = 'Completed', result = @result,
      completed_event_id = @eventId,
      completed_at = ${NOW}, updated_at = ${NOW}, lease_expires_at = NULL,
      error_code = NULL, error_message = NULL, error_details = NULL,
      processing_time_seconds = (${NOW} - started_at) / 1000.0
    WHERE ${FENCE}
    RETURNING ${JOB_ARRAY}`,

  /**
   * `complete` for a batch in one statement: @completions is a JSON array of {id, attempt, worker_id,
   * result}; @eventBase the id before those `reserveEventIds` reserved for their `completed` events,
   * one for each, in input order. Returns the ids it completed. The unary `+` keeps the planner from walking the running jobs in an index on status
   * (jobs_lease_idx, or before migration 0010 jobs_status_created_idx) instead of looking each id up.
   */
  completeMany: `
    UPDATE jobs SET status = 'completed', progress = 100, message = 'Completed', result = input.result,
      completed_at = ${NOW}, updated_at = ${NOW}, lease_expires_at = NULL,
      error_code = NULL, error_message = NULL, error_details = NULL,
      processing_time_seconds = (${NOW} - started_at) / 1000.0,
      payload = CASE WHEN input.clear_lesson
        THEN json_remove(jobs.payload, '$.lesson', '$.markdown', '$.script') ELSE jobs.payload END,
      completed_event_id = CAST(@eventBase AS INTEGER) + input.n
    FROM (
      SELECT key + 1 AS n, value ->> 'id' AS id, value ->> 'attempt' AS attempt, value ->> 'worker_id' AS worker_id,
        value -> 'result' AS result, value ->> 'clear_lesson' AS clear_lesson
      FROM jsonb_each(@completions)) AS input
    WHERE jobs.id = input.id AND jobs.attempt = input.attempt AND jobs.worker_id = input.worker_id
      AND +jobs.status = 'running'
    RETURNING jobs.id, jobs.has_children,
      CASE WHEN json_valid(jobs.payload) THEN json_type(jobs.payload, '$.webhook_url') END = 'text' AS webhook`,

  /**
   * @ids parent ids (a JSON array): how many of their children are pending, and their kinds' range.
   * After a parent's end readied them (triggers of migration 0030), for a wake-up.
   */
  pendingChildren: `
    SELECT count(*) AS count, min(kind) AS first_kind, max(kind) AS last_kind FROM jobs
    WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id IN (SELECT value FROM json_each(@ids)))
      AND status = 'pending'`,

  /** Re-queues a failed attempt, unless a cancel was requested meanwhile: then it ends cancelled. */
  failWithRetry: `
    UPDATE jobs SET status = ${ifCancelRequested(`'cancelled'`, `'pending'`)},
      retry_count = ${ifCancelRequested('retry_count', 'retry_count + 1')},
      run_at = ${ifCancelRequested('run_at', `${NOW} + CAST(@retryAfterMs AS INTEGER)`)},
      completed_at = ${ifCancelRequested(NOW, 'NULL')}, updated_at = ${NOW},
      worker_id = ${ifCancelRequested('worker_id', 'NULL')}, lease_expires_at = NULL,
      deadline_at = ${ifCancelRequested('deadline_at', 'NULL')},
      started_event_id = ${ifCancelRequested('started_event_id', 'NULL')},
      error_code = ${ifCancelRequested(`'JOB_CANCELLED'`, '@code')},
      error_message = ${ifCancelRequested(`'Cancelled while its attempt was failing'`, '@message')},
      error_details = @details, message = ${ifCancelRequested(`'Cancelled'`, '@statusMessage')}
    WHERE ${FENCE}
    RETURNING ${JOB_ARRAY}`,

  failTerminal: `
    UPDATE jobs SET status = @terminalStatus, completed_at = ${NOW}, updated_at = ${NOW},
      lease_expires_at = NULL, error_code = @code, error_message = @message, error_details = @details,
      message = @statusMessage, processing_time_seconds = (${NOW} - started_at) / 1000.0
    WHERE ${FENCE}
    RETURNING ${JOB_ARRAY}`,

  markCancelled: `
    UPDATE jobs SET status = 'cancelled', completed_at = ${NOW}, updated_at = ${NOW},
      lease_expires_at = NULL, error_code = 'JOB_CANCELLED',
      -- The reason stored with the request wins: the worker may only know that a cancel was asked.
      error_message = coalesce('Cancelled: ' || cancel_reason, @message),
      message = coalesce('Cancelled: ' || cancel_reason, @message), cancel_reason = coalesce(cancel_reason, @reason),
      cancel_requested_at = coalesce(cancel_requested_at, ${NOW}),
      processing_time_seconds = (${NOW} - started_at) / 1000.0
    WHERE ${FENCE}
    RETURNING ${JOB_ARRAY}`,

  /** Hands a job back at shutdown, unless a cancel was requested meanwhile: then it ends cancelled. */
  release: `
    UPDATE jobs SET status = ${ifCancelRequested(`'cancelled'`, `'pending'`)},
      worker_id = ${ifCancelRequested('worker_id', 'NULL')}, lease_expires_at = NULL,
      deadline_at = ${ifCancelRequested('deadline_at', 'NULL')},
      started_event_id = ${ifCancelRequested('started_event_id', 'NULL')},
      completed_at = ${ifCancelRequested(NOW, 'NULL')}, updated_at = ${NOW},
      progress = ${ifCancelRequested('progress', '0')}, stage = ${ifCancelRequested('stage', 'NULL')},
      error_code = ${ifCancelRequested(`'JOB_CANCELLED'`, 'error_code')},
      message = ${ifCancelRequested(`'Cancelled'`, `'Released by a stopping worker; waiting to run again'`)}
    WHERE ${FENCE}
    RETURNING ${JOB_ARRAY}`,

  selectById: `SELECT ${JOB_ARRAY} FROM jobs WHERE id = @id`,
  selectByIdForUser: `SELECT ${JOB_ARRAY} FROM jobs WHERE id = @id AND user_id = @userId`,
  /** Who a retry charges, and how much. */
  selectCharge: `SELECT user_id AS userId, cost_points AS costPoints FROM jobs WHERE id = @id`,

  /**
   * A job and, when pending, how many pending jobs are claimed before it (column `ahead`): one
   * statement, so a status read takes the WAL read lock once. `selectWithPositionForUser` adds the
   * owner.
   */
  selectWithPosition: withPosition(''),
  selectWithPositionForUser: withPosition('AND me.user_id = @userId'),
  /**
   * The pending jobs' ids in claim order, read from jobs_claim_idx alone: a listing's page numbers
   * them as it reads and stops at the last of its jobs (SqliteJobStore.queuePositions). Counting
   * ahead of each job apart read the front of the queue once per job.
   */
  selectPendingInClaimOrder: `
    SELECT id FROM jobs INDEXED BY jobs_claim_idx WHERE status = 'pending' ORDER BY priority DESC, run_at, id`,
  /**
   * @windowMs, @userId: an owner's jobs created in the window, by status: a range of
   * jobs_user_created_idx, the owner's jobs of the window only. (The whole queue's counts come from
   * the rollups.) Not `@userId IS NULL OR user_id = @userId`: that walked jobs_created_idx over every
   * owner's jobs of the window.
   */
  countByStatusOfOwnerInWindow: `
    SELECT status, count(*) AS count FROM jobs
    WHERE user_id = @userId
      AND created_at >= CAST(unixepoch('subsec') * 1000 AS INTEGER) - CAST(@windowMs AS INTEGER)
    GROUP BY status`,

  /**
   * A job's events after @afterId. Three are read from the job, not stored: its `created` event as
   * event 0 (migration 0015), so a log read from the start (@afterId < 0) begins with it; and its
   * `started` and `completed` events under the ids the claim and the completion reserved (migration
   * 0034), while the row holds them (`heldEvents`).
   */
  selectEvents: `
    SELECT 0 AS id, id AS job_id, created_at AS at, 'created' AS type, 'pending' AS status,
      0 AS progress, NULL AS stage, 'Queued' AS message, 0 AS attempt, NULL AS worker_id, NULL AS data
    FROM jobs WHERE id = @jobId AND @afterId < 0
    UNION ALL
    SELECT * FROM (${heldEvents('id = @jobId')}) WHERE id > @afterId
    UNION ALL
    SELECT * FROM (SELECT id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data
      FROM job_events WHERE job_id = @jobId AND id > @afterId ORDER BY id LIMIT ${boundCount('limit')})
    ORDER BY id LIMIT ${boundCount('limit')}`,

  cancelPending: `
    UPDATE jobs SET status = 'cancelled', completed_at = ${NOW}, updated_at = ${NOW},
      cancel_requested_at = ${NOW}, cancel_reason = @reason, error_code = 'JOB_CANCELLED',
      error_message = @message, message = @message
    WHERE id = @id AND (status = 'pending' OR status = 'waiting')
    RETURNING ${JOB_ARRAY}`,

  /** A pending job's priority (its rank); a claimed or finished job is left as it is. */
  changePriority: `
    UPDATE jobs SET priority = @priority, updated_at = ${NOW}
    WHERE id = @id AND status = 'pending'
    RETURNING ${JOB_ARRAY}`,

  requestCancel: `
    UPDATE jobs SET cancel_requested_at = coalesce(cancel_requested_at, ${NOW}),
      cancel_reason = coalesce(cancel_reason, @reason), updated_at = ${NOW},
      message = 'Cancellation requested'
    WHERE id = @id AND status = 'running'
    RETURNING ${JOB_ARRAY}`,

  /**
   * A job with parents that are not all settled waits for them again (migration 0030): the
   * parents left counted as the triggers count them.
   */
  retry: `
    UPDATE jobs SET status = CASE WHEN ${PARENTS_LEFT} > 0 THEN 'waiting' ELSE 'pending' END,
      waiting_parents = ${PARENTS_LEFT}, retry_count = retry_count + 1, run_at = ${NOW},
      updated_at = ${NOW}, completed_at = NULL, started_at = NULL, worker_id = NULL, lost_attempts = 0,
      deadline_at = NULL,
      started_event_id = NULL,
      lease_expires_at = NULL, cancel_requested_at = NULL, cancel_reason = NULL, progress = 0,
      stage = NULL, message = 'Queued again by a manual retry', result = NULL, error_code = NULL,
      error_message = NULL, error_details = NULL, processing_time_seconds = NULL
    WHERE id = @id AND status IN ('failed', 'cancelled', 'timeout')
    RETURNING ${JOB_ARRAY}`,

  /**
   * Orphans (their worker died or froze past its lease): cancelled if asked; else re-queued, keeping
   * their place in line and every retry, while fewer than @maxLostAttempts attempts were lost
   * before; else failed WORKER_LOST_REPEATEDLY.
   */
  recoverWhere: (condition: string) => `
    UPDATE jobs SET
      status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
        WHEN ${REQUEUE_LOST} THEN 'pending' ELSE 'failed' END,
      lost_attempts = lost_attempts + 1,
      completed_at = CASE WHEN ${REQUEUE_LOST_UNLESS_CANCELLED} THEN NULL ELSE ${NOW} END,
      worker_id = CASE WHEN ${REQUEUE_LOST_UNLESS_CANCELLED} THEN NULL ELSE worker_id END,
      deadline_at = CASE WHEN ${REQUEUE_LOST_UNLESS_CANCELLED} THEN NULL ELSE deadline_at END,
      started_event_id = CASE WHEN ${REQUEUE_LOST_UNLESS_CANCELLED} THEN NULL ELSE started_event_id END,
      error_code = CASE WHEN cancel_requested_at IS NOT NULL THEN 'JOB_CANCELLED'
        WHEN ${REQUEUE_LOST} THEN 'WORKER_LOST' ELSE 'WORKER_LOST_REPEATEDLY' END,
      error_message = CASE WHEN cancel_requested_at IS NOT NULL THEN 'Cancelled; its worker had stopped'
        WHEN ${REQUEUE_LOST} THEN 'The worker running this job stopped sending heartbeats'
        ELSE 'Its worker was lost ' || (lost_attempts + 1) || ' times (MAX_LOST_ATTEMPTS is '
          || @maxLostAttempts || '): the job may be what stops its workers' END,
      message = CASE WHEN cancel_requested_at IS NOT NULL THEN 'Cancelled'
        WHEN ${REQUEUE_LOST} THEN 'Re-queued after its worker was lost'
        ELSE 'Failed: its worker was lost too many times' END,
      updated_at = ${NOW}, lease_expires_at = NULL
    WHERE status = 'running' AND ${condition}
    RETURNING ${JOB_ARRAY}`,

  /**
   * At most @batch finished jobs that finished before @before (ms; a range of jobs_finished_idx);
   * @statuses a JSON array or NULL for every finished status; @userId or NULL for every user's. The
   * cleanup runs it in transactions of its own until it deletes fewer than a batch.
   */
  cleanup: `
    DELETE FROM jobs WHERE rowid IN (
      SELECT rowid FROM jobs WHERE ${IS_FINISHED} AND completed_at < @before
        AND (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
        AND (@userId IS NULL OR user_id = @userId)
      LIMIT ${boundCount('batch')})`,
  /** The same, aged from created_at (seed 002's `days` form): no index orders finished jobs by it. */
  cleanupCreatedBefore: `
    DELETE FROM jobs WHERE rowid IN (
      SELECT rowid FROM jobs WHERE ${IS_FINISHED} AND created_at < @before
        AND (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
        AND (@userId IS NULL OR user_id = @userId)
      LIMIT ${boundCount('batch')})`,

  /** Pages of the database file left free by deletes: `PRAGMA incremental_vacuum` gives them back. */
  freePages: `SELECT freelist_count FROM pragma_freelist_count()`,
  autoVacuum: `SELECT auto_vacuum FROM pragma_auto_vacuum()`,

  /**
   * Of the ids @ids (a JSON array), the jobs of the owner @userId (NULL: jobs without one) a new job
   * may depend on, with what the rule needs.
   */
  selectParents: `
    SELECT id, status, error_code AS errorCode FROM jobs
    WHERE id IN (SELECT value FROM json_each(@ids)) AND user_id IS @userId`,
  markParents: `UPDATE jobs SET has_children = 1 WHERE id IN (SELECT value FROM json_each(@ids)) AND has_children = 0`,
  insertDependencies: `
    INSERT INTO job_dependencies (child_id, parent_id) SELECT @childId, value FROM json_each(@ids)`,
  /** A new child's state once its parents are known (`initialDependencyState`). */
  settleNewChild: `
    UPDATE jobs SET status = @status, waiting_parents = @waitingParents, on_parent_failure = @rule,
      error_code = @errorCode, error_message = CASE WHEN @errorCode IS NULL THEN NULL ELSE @message END,
      message = @message, completed_at = CASE WHEN @errorCode IS NULL THEN NULL ELSE ${NOW} END
    WHERE id = @id
    RETURNING ${JOB_ARRAY}`,
  /** Progress of a waiting job, made by the jobs it waits for (`reportWaitingProgress`). */
  waitingProgress: `
    UPDATE jobs SET progress = max(progress, @progress), stage = @stage, message = @message, updated_at = ${NOW}
    WHERE id = @id AND status = 'waiting'
    RETURNING ${JOB_ARRAY}`,
  /** A running job's new parents (`waitForJobs`): rows it already has are kept. */
  insertMoreDependencies: `
    INSERT OR IGNORE INTO job_dependencies (child_id, parent_id) SELECT @jobId, value FROM json_each(@ids)`,
  /**
   * A running job hands its worker back to wait for the jobs @ids (a JSON array) it started
   * (`waitForJobs`): waiting for those not yet ended, pending when none is left. The rule is `run`,
   * so one that ends unsuccessfully wakes the job too, which reads their outcomes itself. The
   * attempt is not used up (retry_count is untouched), like a release.
   */
  waitForJobs: `
    UPDATE jobs SET
      waiting_parents = (SELECT count(*) FROM jobs AS p WHERE p.id IN (SELECT value FROM json_each(@ids))
        AND (p.status = 'pending' OR p.status = 'running' OR p.status = 'waiting')),
      status = CASE WHEN (SELECT count(*) FROM jobs AS p WHERE p.id IN (SELECT value FROM json_each(@ids))
        AND (p.status = 'pending' OR p.status = 'running' OR p.status = 'waiting')) > 0
        THEN 'waiting' ELSE 'pending' END,
      on_parent_failure = 'run', worker_id = NULL, started_event_id = NULL, lease_expires_at = NULL,
      updated_at = ${NOW},
      run_at = ${NOW}, message = @message
    WHERE ${FENCE}
    RETURNING ${JOB_ARRAY}`,
  /**
   * Waiting jobs whose attempt's deadline passed (`timeOutWaiting`, migration 0036) end `timeout`,
   * whatever retries are left: the jobs they waited for had their own. Triggers refund the points,
   * settle their children and queue their webhooks, as for any end.
   */
  timeOutWaiting: `
    UPDATE jobs SET status = 'timeout', completed_at = ${NOW}, updated_at = ${NOW}, error_code = 'JOB_TIMEOUT',
      error_message = 'The job ran past its timeout of ' || timeout_seconds
        || ' s while it waited for the jobs it started',
      error_details = json_object('timeout_seconds', timeout_seconds, 'waiting', json('true')),
      message = 'Timed out', processing_time_seconds = (${NOW} - started_at) / 1000.0
    WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_waiting_deadline_idx
      WHERE status = 'waiting' AND deadline_at < ${NOW})
    RETURNING ${JOB_ARRAY}`,
  selectParentIds: `SELECT parent_id FROM job_dependencies WHERE child_id = @id ORDER BY parent_id`,
  selectChildIds: `SELECT child_id FROM job_dependencies WHERE parent_id = @id ORDER BY child_id`,
  selectRule: `SELECT on_parent_failure FROM jobs WHERE id = @id AND (@userId IS NULL OR user_id = @userId)`,

  /** The clock, read once by a transaction that stamps many rows with it (insertMany). */
  now: `SELECT ${NOW} AS now`,
} as const;

export const leaseExpired = `lease_expires_at < ${NOW}`;
export const heartbeatOlderThan = `coalesce(last_heartbeat, started_at) < ${NOW} - CAST(@olderThanMs AS INTEGER)`;
