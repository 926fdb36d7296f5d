/**
 * Every SQL statement of the PostgreSQL job store. Values are bind parameters. Each state change
 * and its `job_events` row are written by one statement (a data-modifying CTE): one round trip,
 * atomic. Three events are read from the job itself instead of stored: `created` (migration 0015),
 * and `started` and `completed` while the row still holds them (migration 0017, `selectEvents`).
 */
import { JOB_PRIORITIES } from '../../../jobs/model.js';
import type { RecoveryCause } from '../../../jobs/store.js';
import { COUNT_BY_STATUS, IS_FINISHED, IS_PENDING } from '../../status-predicates.js';

const ifCancelRequested = (then: string, otherwise: string) =>
  `CASE WHEN cancel_requested_at IS NOT NULL THEN ${then} ELSE ${otherwise} END`;

/**
 * A status test for statements that find their rows by primary key, written so that no index can
 * serve it. Otherwise, whenever the statistics undercount the jobs in that status (stale, or right
 * after a burst), the planner finds the rows by walking every such job's entry in a partial index
 * by status (or, before migration 0010, jobs_status_created_idx), dead entries included, instead of
 * looking the ids up.
 */
const statusIs = (statuses: string, table = '') => `${table}status || '' IN (${statuses})`;
const stillRunning = (table = '') => statusIs(`'running'`, table);

const FENCE = `id = $1 AND attempt = $2 AND worker_id = $3 AND ${stillRunning()}`;

/**
 * What the event of `eventFrom` reads from CTE `j`: a statement that returns no job returns only
 * these from its update, not the whole row (payload and result included) into the CTE. For a batch
 * of completions, 1.4 µs less server CPU a job (12 interleaved rounds of 20,000).
 */
const EVENT_SOURCE = (table: string): string =>
  ['id', 'status', 'progress', 'stage', 'message', 'attempt', 'worker_id']
    .map((c) => `${table}.${c}`)
    .join(', ');

/** Appends one event per row of CTE `j`; `$data` is the parameter holding the event's JSON data. */
function eventFrom(type: string, data = 'NULL::jsonb', message = 'j.message'): string {
  return `e AS (
    INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
    SELECT j.id, ${type}, j.status, j.progress, j.stage, ${message}, j.attempt, j.worker_id, ${data} FROM j)`;
}

/**
 * The column of the statements that return one job: the whole row as one json value (`PgJobJson`),
 * which costs the driver 18 µs of CPU instead of 30 and the server no more than 32 columns. Those
 * that return many jobs (claims, listing pages, jobs by idempotency key) return columns: for 21 rows
 * JSON saved the driver 14 µs and cost the server 42 (bench/tools/pg-row-cost.ts).
 */
export const JOB_COLUMN = (row: string): string => `to_json(${row}) AS job`;

/** A new job's columns and their types, in `newJobsColumns` order: parameters $1–$11 of the inserts. */
const NEW_JOB_COLUMNS: [name: string, type: string][] = [
  ['id', 'uuid'],
  ['kind', 'text'],
  ['user_id', 'text'],
  ['lesson_id', 'text'],
  ['priority', 'smallint'],
  ['payload', 'jsonb'],
  ['run_at', 'timestamptz'],
  ['timeout_seconds', 'integer'],
  ['max_retries', 'integer'],
  ['idempotency_key', 'text'],
  ['cost_points', 'integer'],
];
const newJobParameters = (suffix: string): string =>
  NEW_JOB_COLUMNS.map(([, type], i) => `$${i + 1}::${type}${suffix}`).join(', ');

/**
 * New jobs as one typed array per column. PostgreSQL reads an array of uuids or integers far faster
 * than it pulls fields out of a JSON object per job: 20,000 jobs parse in about half the time of
 * `json_to_recordset`.
 */
const JOB_ARRAYS = `unnest(${newJobParameters('[]')})`;

/**
 * One new job as one parameter per column: for a single job the arrays' unnest costs more than the
 * row (sequential adds 2.6–2.8k → 2.9k a second, 4 interleaved rounds).
 */
const JOB_VALUES = `(VALUES (${newJobParameters('')}))`;

/**
 * Inserts the jobs of `source` (JOB_ARRAYS or JOB_VALUES); $12 the wake-up channel, or null when the
 * store sends the wake-up after the commit (`WakeUpSender`). Triggers of migration 0004 charge the
 * owners (SQLSTATE RQ402 when one is short: nothing is inserted). No event row: a job's `created`
 * event is read from the job itself (`selectEvents`, migration 0015).
 */
const insertJobs = (source: string): string => `
    WITH j AS (
      INSERT INTO jobs (id, kind, user_id, lesson_id, priority, payload, created_at, run_at,
        timeout_seconds, max_retries, idempotency_key, cost_points)
      -- created_at to the millisecond: listing cursors carry JavaScript (millisecond) times.
      SELECT id, kind, user_id, lesson_id, priority, payload, date_trunc('milliseconds', now()),
        coalesce(run_at, now()), timeout_seconds, max_retries, idempotency_key, cost_points
      FROM ${source} AS t(${NEW_JOB_COLUMNS.map(([name]) => name).join(', ')})
      -- A taken idempotency key skips the job; a taken id aborts the statement (jobIdTaken).
      ON CONFLICT (coalesce(user_id, ''), idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
      RETURNING id, kind, run_at, idempotency_key IS NOT NULL AS keyed),
    -- No wake-up when every job's key was taken: nothing new to run; none for a job whose run_at is
    -- ahead either: the store announces it when it falls due (due-wake-ups.ts). The wake-up says how many jobs
    -- and, when they are all of one kind, which (src/jobs/wake-up-message.ts): workers use both to
    -- decide whether to claim (src/jobs/wake-up-lottery.ts).
    n AS (
      SELECT pg_notify($12, 'a:' || count(*) || CASE WHEN min(kind) = max(kind) THEN ':' || min(kind) ELSE '' END)
      FROM j WHERE $12::text IS NOT NULL AND j.run_at <= now() HAVING count(*) > 0)
    -- One row: the transaction's clock, which stamped them all (insertedJobFromPg), and the keyed
    -- jobs inserted. A job without a key is always inserted (a taken id aborts the statement); the
    -- rest of each job is what was sent. Reading n makes it run: a CTE that nothing reads is skipped.
    SELECT ARRAY(SELECT id FROM j WHERE keyed) AS keyed_ids,
      date_trunc('milliseconds', now()) AS created_at, now() AS now
    FROM (SELECT count(*) FROM n) AS notified`;

/**
 * The parents of the job being updated that it still waits for (migration 0030): a retried job with
 * parents not all settled waits for them again.
 */
const PARENTS_LEFT = `(
  SELECT count(*) FROM job_dependencies AS d JOIN jobs AS p ON p.id = d.parent_id
  WHERE d.child_id = jobs.id AND p.status <> 'completed'
    AND NOT (jobs.on_parent_failure = 'run' AND p.status IN ('failed', 'cancelled', 'timeout')))`;

/** Arbitrary constant naming the per-owner enqueue lock (the migration lock uses another). */
const OWNER_LOCK_CLASS = 0x72716f77;

/**
 * An id from the events' sequence, reserved for an event the row holds (`started_event_id`,
 * `completed_event_id`; migration 0017): read from the job, it keeps its place in the job's log.
 * Every statement that clears a job's worker (its attempt goes back to the queue) clears
 * started_event_id with it, and trigger jobs_store_derived_events stores the `started` event first.
 */
const RESERVED_EVENT_ID = `nextval('job_events_id_seq')`;

/** An orphan goes back to the queue: fewer than $2 (MAX_LOST_ATTEMPTS) of its attempts were lost before. */
const REQUEUE_LOST = `lost_attempts < $2::integer`;
const REQUEUE_LOST_UNLESS_CANCELLED = `cancel_requested_at IS NULL AND ${REQUEUE_LOST}`;
const LOST_TOO_OFTEN_MESSAGE = `'Its worker was lost ' || (lost_attempts + 1) || ' times (MAX_LOST_ATTEMPTS is '
  || $2::integer || '): the job may be what stops its workers'`;

/**
 * The progress of the `started` event a row holds: what the claim kept (PROGRESS_ON_CLAIM), read
 * from the event that made the job claimable again (`ready` when its last parent ended, `waiting`
 * when none was left); 0 otherwise. Once stored by migration 0017's trigger, the event says 0.
 */
export const HELD_STARTED_PROGRESS = `coalesce((SELECT CASE WHEN e.type IN ('ready', 'waiting') THEN e.progress
    ELSE 0 END FROM job_events e WHERE e.job_id = jobs.id AND e.id < jobs.started_event_id
    ORDER BY e.id DESC LIMIT 1), 0)::smallint`;

/**
 * One wake-up per kind for the jobs of CTE `j` that went back to the queue, each saying how many
 * (`a:<count>:<kind>`, wake-up-message.ts), on channel `channel`: an uncounted `a` is answered by
 * every idle worker of a fleet, a counted one by a few (wake-up-lottery.ts), one of a kind a worker
 * does not handle by none of it. None when no job went back. Read by `NOTIFIED`.
 */
const notifyRequeued = (channel: string): string => `n AS (
    SELECT pg_notify(${channel}, 'a:' || count(*) || ':' || j.kind) FROM j
    WHERE j.status = 'pending' GROUP BY j.kind)`;
/** A one-row source that makes `notifyRequeued`'s CTE run: a CTE that nothing reads is skipped. */
const NOTIFIED = `(SELECT count(*) FROM n) AS notified`;

/**
 * A claimed job's progress: 0, but for a job coming back from waiting on jobs it started
 * (`waitForJobs` set its rule to `run` and linked them), whose bar they moved: it keeps it, so the
 * user's bar never goes back (a split render's join starts at 85 %, not 0). A child of the `run` rule
 * that never ran has 0 anyway.
 */
const PROGRESS_ON_CLAIM = (table: string): string => `CASE WHEN ${table}.on_parent_failure = 'run'
  AND EXISTS (SELECT 1 FROM job_dependencies d WHERE d.child_id = ${table}.id) THEN ${table}.progress ELSE 0 END`;

/** An owner's ($2) jobs created in the last $1 hours: a range of jobs_user_created_idx. */
const OWNER_WINDOW = `user_id = $2 AND created_at >= now() - make_interval(secs => $1::double precision * 3600)`;

export const jobsSql = {
  /** Many new jobs: $1–$11 a column each (`newJobsColumns`), $12 the channel (`insertJobs`). */
  insertMany: insertJobs(JOB_ARRAYS),

  /** One new job: $1–$11 its values (`newJobsColumns`' first row), $12 the channel (`insertJobs`). */
  insertOne: insertJobs(JOB_VALUES),

  /** $1 the channel, $2 the wake-up (`availableMessage`): for jobs queued by overlapping enqueues, after their commits. */
  announceAvailable: `SELECT pg_notify($1, $2)`,

  /**
   * $1 owner. Serialises enqueues and retries with an active-jobs limit per owner, across every node, until the
   * transaction ends (hash collisions only make two owners wait for each other).
   */
  lockOwner: `SELECT pg_advisory_xact_lock(${OWNER_LOCK_CLASS}, hashtext($1))`,

  /**
   * $1 job ids (uuid[]), $2 the caller's user id (NULL: any). Takes `lockOwner`'s lock of each owner
   * of those jobs (webhook deliveries and ownerless jobs have no limit), in the order of the lock
   * keys, so that batches of retries on two nodes cannot deadlock.
   */
  lockOwnersOf: `
    SELECT pg_advisory_xact_lock(${OWNER_LOCK_CLASS}, owner) FROM (
      SELECT DISTINCT hashtext(user_id) AS owner FROM jobs
      WHERE id = ANY($1::uuid[]) AND user_id IS NOT NULL AND kind <> 'webhook'
        AND ($2::text IS NULL OR user_id = $2)
      ORDER BY owner) AS owners`,

  /** $1 owner. Pending and running jobs for the active-jobs limit (webhook deliveries are ours, not theirs). */
  countActive: `
    SELECT count(*) AS active FROM jobs
    WHERE user_id = $1 AND status IN ('pending', 'running') AND kind <> 'webhook'`,

  /** $1 job ids (uuid[]): those already stored, to name a taken id. */
  selectStoredIds: `SELECT id FROM jobs WHERE id = ANY($1::uuid[])`,

  /** $1 user ids (text[], '' for none), $2 keys (text[]). */
  selectByIdempotencyKeys: `
    SELECT * FROM jobs
    WHERE (coalesce(user_id, ''), idempotency_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,

  /**
   * $1 kinds, $2 limit, $3 worker id, $4 lease seconds. The `started` events are read from the rows.
   * A job coming back from waiting on jobs it started keeps its bar (PROGRESS_ON_CLAIM).
   */
  claim: `
    WITH j AS (
      UPDATE jobs SET status = 'running', attempt = attempt + 1, worker_id = $3, started_at = now(),
        updated_at = now(), last_heartbeat = now(), lease_expires_at = now() + make_interval(secs => $4),
        progress = ${PROGRESS_ON_CLAIM('jobs')}, stage = NULL, message = 'Started',
        started_event_id = ${RESERVED_EVENT_ID},
        -- The attempt's deadline, from its first run: one coming back from waiting keeps it (0036).
        deadline_at = coalesce(deadline_at, now() + make_interval(secs => timeout_seconds))
      -- Candidates: FOR UPDATE SKIP LOCKED over jobs_claim_idx in claim order (migration 0003 pins
      -- that plan); = ANY(ARRAY(...)) makes the update find them by primary key.
      WHERE jobs.id = ANY(ARRAY(SELECT reelqueue_claim_candidates($1::text[], $2::integer)))
      RETURNING jobs.*)
    -- Columns, not JOB_COLUMN: for many rows, the server's cost of building JSON outweighs the driver's saving.
    SELECT * FROM j ORDER BY priority DESC, run_at, id`,

  /**
   * $1 kinds: ms until the earliest pending job of those kinds that is not due yet, or NULL. Per
   * priority, the first such entry of jobs_claim_idx (priority DESC, run_at, id) from now on: a short
   * range each, whatever the backlog of due jobs (jobs of other kinds in it are skipped).
   */
  msUntilNextDue: `
    SELECT extract(epoch FROM min(d.run_at) - now())::float8 * 1000 AS ms
    FROM generate_series(0, ${JOB_PRIORITIES.length - 1}) AS p(priority), LATERAL (
      SELECT run_at FROM jobs
      WHERE status = 'pending' AND priority = p.priority AND run_at > now() AND kind = ANY($1::text[])
      ORDER BY priority DESC, run_at, id LIMIT 1) AS d`,

  /** $1 ids, $2 attempts, $3 worker ids, $4 lease seconds. */
  heartbeat: `
    UPDATE jobs SET last_heartbeat = now(), lease_expires_at = now() + make_interval(secs => $4)
    FROM unnest($1::uuid[], $2::integer[], $3::text[]) AS l(id, attempt, worker_id)
    WHERE jobs.id = l.id AND jobs.attempt = l.attempt AND jobs.worker_id = l.worker_id
      AND ${stillRunning('jobs.')}
    RETURNING jobs.id, jobs.attempt, jobs.worker_id, jobs.cancel_requested_at, jobs.cancel_reason`,

  /** Fence $1–$3; $4 progress, $5 stage, $6 message, $7 the event's data (or NULL). */
  progress: `
    WITH j AS (
      UPDATE jobs SET progress = $4, stage = $5, message = $6, updated_at = now(), last_heartbeat = now()
      WHERE ${FENCE}
      RETURNING ${EVENT_SOURCE('jobs')}),
    ${eventFrom(`'progress'`, '$7::jsonb')}
    SELECT id FROM j`,

  /** Fence $1–$3; $4 result. The `completed` event is read from the row. */
  complete: `
    UPDATE jobs SET status = 'completed', progress = 100, message = 'Completed', result = $4,
      completed_at = now(), updated_at = now(), lease_expires_at = NULL, error_code = NULL,
      error_message = NULL, error_details = NULL,
      processing_time_seconds = extract(epoch FROM now() - started_at),
      completed_event_id = ${RESERVED_EVENT_ID}
    WHERE ${FENCE}
    RETURNING ${JOB_COLUMN('jobs')}`,

  /** $1 completions as a JSON array of {id, attempt, worker_id, result}; the events are read from the rows. */
  completeMany: `
    WITH input AS (
      SELECT * FROM jsonb_to_recordset($1::jsonb)
        AS t(id uuid, attempt integer, worker_id text, result jsonb, clear_lesson boolean))
    UPDATE jobs SET status = 'completed', progress = 100, message = 'Completed', result = input.result,
      completed_at = now(), updated_at = now(), lease_expires_at = NULL, error_code = NULL,
      error_message = NULL, error_details = NULL,
      processing_time_seconds = extract(epoch FROM now() - started_at),
      payload = CASE WHEN input.clear_lesson
        THEN jobs.payload - 'lesson' - 'markdown' - 'script' ELSE jobs.payload END,
      completed_event_id = ${RESERVED_EVENT_ID}
    FROM input
    WHERE jobs.id = ANY(ARRAY(SELECT id FROM input)) AND jobs.id = input.id
      AND jobs.attempt = input.attempt AND jobs.worker_id = input.worker_id AND ${stillRunning('jobs.')}
    RETURNING jobs.id, jobs.has_children, jsonb_typeof(jobs.payload -> 'webhook_url') = 'string' AS webhook`,

  /**
   * $1 parent ids: how many of their children are pending, and their kinds' range (one kind when
   * the two agree). After a parent's end readied them (a trigger of migration 0030), for a wake-up.
   */
  pendingChildren: `
    SELECT count(*)::int AS count, min(kind) AS first_kind, max(kind) AS last_kind FROM jobs
    WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = ANY($1::uuid[]))
      AND status = 'pending'`,

  /**
   * Fence $1–$3; $4 code, $5 message, $6 details, $7 retry after seconds, $8 status message, $9 event
   * data, $10 channel. Notifies only a retry due at once: one with a delay is announced when it falls
   * due (due-wake-ups.ts), not now, when a claim would find nothing.
   */
  failWithRetry: `
    WITH j AS (
      UPDATE jobs SET status = ${ifCancelRequested(`'cancelled'`, `'pending'`)},
        retry_count = ${ifCancelRequested('retry_count', 'retry_count + 1')},
        run_at = ${ifCancelRequested('run_at', 'now() + make_interval(secs => $7)')},
        completed_at = ${ifCancelRequested('now()', 'NULL')}, updated_at = now(),
        worker_id = ${ifCancelRequested('worker_id', 'NULL')}, lease_expires_at = NULL,
        started_event_id = ${ifCancelRequested('started_event_id', 'NULL')},
        deadline_at = ${ifCancelRequested('deadline_at', 'NULL')},
        error_code = ${ifCancelRequested(`'JOB_CANCELLED'`, '$4')},
        error_message = ${ifCancelRequested(`'Cancelled while its attempt was failing'`, '$5')},
        error_details = $6, message = ${ifCancelRequested(`'Cancelled'`, '$8')}
      WHERE ${FENCE}
      RETURNING *),
    ${eventFrom(`CASE WHEN j.status = 'cancelled' THEN 'cancelled' ELSE 'retry_scheduled' END`, '$9::jsonb')},
    n AS (SELECT pg_notify($10, 'a:1:' || kind) FROM j WHERE j.status = 'pending' AND j.run_at <= now())
    SELECT ${JOB_COLUMN('j')} FROM j WHERE (SELECT count(*) FROM n) >= 0`,

  /** Fence $1–$3; $4 code, $5 message, $6 details, $7 terminal status, $8 status message, $9 event data. */
  failTerminal: `
    WITH j AS (
      UPDATE jobs SET status = $7, completed_at = now(), updated_at = now(), lease_expires_at = NULL,
        error_code = $4, error_message = $5, error_details = $6, message = $8,
        processing_time_seconds = extract(epoch FROM now() - started_at)
      WHERE ${FENCE}
      RETURNING *),
    ${eventFrom(`CASE WHEN j.status = 'timeout' THEN 'timeout' ELSE 'failed' END`, '$9::jsonb')}
    SELECT ${JOB_COLUMN('j')} FROM j`,

  /** Fence $1–$3; $4 reason, $5 message. */
  markCancelled: `
    WITH j AS (
      UPDATE jobs SET status = 'cancelled', completed_at = now(), updated_at = now(),
        lease_expires_at = NULL, error_code = 'JOB_CANCELLED',
        -- The reason stored with the request wins: the worker may only know that a cancel was asked.
        error_message = coalesce('Cancelled: ' || cancel_reason, $5),
        message = coalesce('Cancelled: ' || cancel_reason, $5),
        cancel_reason = coalesce(cancel_reason, $4), cancel_requested_at = coalesce(cancel_requested_at, now()),
        processing_time_seconds = extract(epoch FROM now() - started_at)
      WHERE ${FENCE}
      RETURNING *),
    ${eventFrom(`'cancelled'`)}
    SELECT ${JOB_COLUMN('j')} FROM j`,

  /** $1 ids, $2 attempts, $3 worker ids, $4 channel. */
  release: `
    WITH j AS (
      UPDATE jobs SET status = ${ifCancelRequested(`'cancelled'`, `'pending'`)},
        worker_id = ${ifCancelRequested('jobs.worker_id', 'NULL')}, lease_expires_at = NULL,
        started_event_id = ${ifCancelRequested('started_event_id', 'NULL')},
        deadline_at = ${ifCancelRequested('deadline_at', 'NULL')},
        completed_at = ${ifCancelRequested('now()', 'NULL')}, updated_at = now(),
        progress = ${ifCancelRequested('progress', '0')}, stage = ${ifCancelRequested('stage', 'NULL')},
        error_code = ${ifCancelRequested(`'JOB_CANCELLED'`, 'error_code')},
        message = ${ifCancelRequested(`'Cancelled'`, `'Released by a stopping worker; waiting to run again'`)}
      FROM unnest($1::uuid[], $2::integer[], $3::text[]) AS l(id, attempt, worker_id)
      WHERE jobs.id = l.id AND jobs.attempt = l.attempt AND jobs.worker_id = l.worker_id
        AND ${stillRunning('jobs.')}
      RETURNING ${EVENT_SOURCE('jobs')}, jobs.kind),
    ${eventFrom(`CASE WHEN j.status = 'cancelled' THEN 'cancelled' ELSE 'released' END`)},
    ${notifyRequeued('$4')}
    SELECT j.id, j.status FROM j, ${NOTIFIED}`,

  selectById: `SELECT ${JOB_COLUMN('jobs')} FROM jobs WHERE id = $1`,
  selectByIdForUser: `SELECT ${JOB_COLUMN('jobs')} FROM jobs WHERE id = $1 AND user_id = $2`,

  /**
   * $1 ids (uuid[]): the jobs the status reads of one turn of the event loop asked for, each with,
   * when pending, the number of jobs ahead of it (`StatusReadBatcher`, which applies each reader's
   * scope). Columns, not JOB_COLUMN, as for the other statements that return many jobs: status
   * reads over 200 jobs ran 11.8–12.6k req/s so against 10.9–11.9k as JSON (4 interleaved runs).
   * The jobs ahead are counted by reelqueue_jobs_ahead (migration 0014): the work is their number.
   */
  selectManyWithPosition: `
    SELECT me.*, position.jobs_ahead AS ahead
    FROM jobs AS me LEFT JOIN reelqueue_jobs_ahead($1::uuid[]) AS position ON position.job_id = me.id
    WHERE me.id = ANY($1::uuid[])`,

  /**
   * $1 job id, $2 after this event id, $3 limit. Three events are read from the job, not stored: its
   * `created` event as event 0 (migration 0015), so a log read from the start ($2 < 0) begins with
   * it; and its `started` and `completed` events under the ids the claim and the completion reserved
   * (migration 0017), while the row holds them (NULL ids are no event: `NULL > $2` is not true).
   */
  selectEvents: `
    SELECT held.* FROM jobs, LATERAL (VALUES
      (0::bigint, jobs.id, jobs.created_at, 'created', 'pending', 0::smallint, NULL::text, 'Queued',
        0, NULL::text, NULL::jsonb),
      (jobs.started_event_id, jobs.id, jobs.started_at, 'started', 'running', ${HELD_STARTED_PROGRESS},
        NULL::text, 'Started', jobs.attempt, jobs.worker_id, NULL::jsonb),
      (jobs.completed_event_id, jobs.id, jobs.completed_at, 'completed', 'completed', 100::smallint,
        jobs.stage, 'Completed', jobs.attempt, jobs.worker_id, NULL::jsonb)
    ) AS held(id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
    WHERE jobs.id = $1 AND held.id > $2::bigint
    UNION ALL
    (SELECT id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data
     FROM job_events WHERE job_id = $1 AND id > $2 ORDER BY id LIMIT $3)
    ORDER BY id LIMIT $3`,

  /** $1 id, $2 user id or NULL, $3 reason, $4 message, $5 event data. */
  cancelPending: `
    WITH j AS (
      UPDATE jobs SET status = 'cancelled', completed_at = now(), updated_at = now(),
        cancel_requested_at = now(), cancel_reason = $3, error_code = 'JOB_CANCELLED',
        error_message = $4, message = $4
      WHERE id = $1 AND ${statusIs(`'pending', 'waiting'`)} AND ($2::text IS NULL OR user_id = $2)
      RETURNING *),
    ${eventFrom(`'cancelled'`, '$5::jsonb')}
    SELECT ${JOB_COLUMN('j')} FROM j`,

  /**
   * $1 id, $2 user id or NULL, $3 priority rank, $4 event message, $5 event data: a pending job's
   * priority, with its event; a claim that locked the row first leaves it running, and this updates
   * nothing (READ COMMITTED re-checks the status after the lock).
   */
  changePriority: `
    WITH j AS (
      UPDATE jobs SET priority = $3, updated_at = now()
      WHERE id = $1 AND ${statusIs(`'pending'`)} AND ($2::text IS NULL OR user_id = $2)
      RETURNING *),
    ${eventFrom(`'priority_changed'`, '$5::jsonb', '$4::text')}
    SELECT ${JOB_COLUMN('j')} FROM j`,

  /** $1 id, $2 user id or NULL, $3 reason, $4 event data, $5 channel. */
  requestCancel: `
    WITH j AS (
      UPDATE jobs SET cancel_requested_at = coalesce(cancel_requested_at, now()),
        cancel_reason = coalesce(cancel_reason, $3), updated_at = now(), message = 'Cancellation requested'
      WHERE id = $1 AND ${stillRunning()} AND ($2::text IS NULL OR user_id = $2)
      RETURNING *),
    ${eventFrom(`'cancel_requested'`, '$4::jsonb')},
    n AS (SELECT pg_notify($5, 'c:' || $1::text))
    SELECT ${JOB_COLUMN('j')} FROM j, n`,

  /** $1 id, $2 user id or NULL, $3 force, $4 event data, $5 channel. */
  retry: `
    WITH j AS (
      UPDATE jobs SET status = CASE WHEN ${PARENTS_LEFT} > 0 THEN 'waiting' ELSE 'pending' END,
        waiting_parents = ${PARENTS_LEFT}, retry_count = retry_count + 1, run_at = now(),
        updated_at = now(), completed_at = NULL, started_at = NULL, worker_id = NULL,
        started_event_id = NULL, lost_attempts = 0, deadline_at = NULL,
        lease_expires_at = NULL, cancel_requested_at = NULL, cancel_reason = NULL, progress = 0,
        stage = NULL, message = 'Queued again by a manual retry', result = NULL, error_code = NULL,
        error_message = NULL, error_details = NULL, processing_time_seconds = NULL
      WHERE id = $1 AND ${statusIs(`'failed', 'cancelled', 'timeout'`)} AND ($2::text IS NULL OR user_id = $2)
        AND ($3::boolean OR retry_count < max_retries)
      RETURNING *),
    ${eventFrom(`'retried'`, '$4::jsonb')},
    n AS (SELECT pg_notify($5, 'a:1:' || kind) FROM j)
    SELECT ${JOB_COLUMN('j')} FROM j, n`,

  /**
   * Orphans (their worker died or froze past its lease): cancelled if asked; else re-queued, keeping
   * their place in line and every retry, while fewer than $2 (MAX_LOST_ATTEMPTS) attempts were lost
   * before; else failed WORKER_LOST_REPEATEDLY. $1 the channel; `condition` may use $3; `cause` (one
   * of a fixed set, never input) goes into the events' data.
   */
  recoverWhere: (condition: string, cause: RecoveryCause) => `
    WITH orphan AS MATERIALIZED (
      SELECT id FROM jobs WHERE status = 'running' AND ${condition} FOR UPDATE SKIP LOCKED),
    j AS (
      UPDATE jobs SET
        status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
          WHEN ${REQUEUE_LOST} THEN 'pending' ELSE 'failed' END,
        lost_attempts = lost_attempts + 1,
        completed_at = CASE WHEN ${REQUEUE_LOST_UNLESS_CANCELLED} THEN NULL ELSE now() END,
        worker_id = CASE WHEN ${REQUEUE_LOST_UNLESS_CANCELLED} THEN NULL ELSE worker_id END,
        started_event_id = CASE WHEN ${REQUEUE_LOST_UNLESS_CANCELLED} THEN NULL ELSE started_event_id END,
        deadline_at = CASE WHEN ${REQUEUE_LOST_UNLESS_CANCELLED} THEN NULL ELSE deadline_at END,
        error_code = CASE WHEN cancel_requested_at IS NOT NULL THEN 'JOB_CANCELLED'
          WHEN ${REQUEUE_LOST} THEN 'WORKER_LOST' ELSE 'WORKER_LOST_REPEATEDLY' END,
        error_message = CASE WHEN cancel_requested_at IS NOT NULL THEN 'Cancelled; its worker had stopped'
          WHEN ${REQUEUE_LOST} THEN 'The worker running this job stopped sending heartbeats'
          ELSE ${LOST_TOO_OFTEN_MESSAGE} END,
        message = CASE WHEN cancel_requested_at IS NOT NULL THEN 'Cancelled'
          WHEN ${REQUEUE_LOST} THEN 'Re-queued after its worker was lost'
          ELSE 'Failed: its worker was lost too many times' END,
        updated_at = now(), lease_expires_at = NULL
      FROM orphan WHERE jobs.id = orphan.id
      RETURNING ${EVENT_SOURCE('jobs')}, jobs.error_code, jobs.kind),
    ${eventFrom(
      `CASE j.status WHEN 'pending' THEN 'recovered' WHEN 'cancelled' THEN 'cancelled' ELSE 'failed' END`,
      `CASE WHEN j.status = 'cancelled' THEN NULL ELSE jsonb_build_object('error_code', j.error_code, 'cause', '${cause}') END`,
    )},
    ${notifyRequeued('$1')}
    SELECT j.id, j.status FROM j, ${NOTIFIED}`,

  countByStatus: COUNT_BY_STATUS,

  /**
   * $1 hours, $2 user id: an owner's jobs created in the last $1 hours, by status: a range of
   * jobs_user_created_idx, the owner's jobs of the window only. (The whole queue's counts come from
   * the rollups.) Not `$2 IS NULL OR user_id = $2`: a generic plan of that walked jobs_created_idx
   * over every owner's jobs of the window.
   */
  countByStatusOfOwnerInWindow: `SELECT status, count(*) AS count FROM jobs WHERE ${OWNER_WINDOW} GROUP BY status`,

  /**
   * An owner's statistics of the last $1 hours ($2 user id), each a range of jobs_user_created_idx
   * (the owner's jobs of the window; the whole queue's come from the rollups), with
   * countByStatusOfOwnerInWindow.
   */
  ownerPriorityCounts: `SELECT priority, count(*) AS count FROM jobs WHERE ${OWNER_WINDOW} GROUP BY priority`,
  ownerErrorCounts: `
    SELECT error_code, count(*) AS count FROM jobs
    WHERE ${OWNER_WINDOW} AND error_code IS NOT NULL AND status IN ('failed', 'timeout', 'cancelled')
    GROUP BY error_code ORDER BY count DESC, error_code LIMIT 20`,
  ownerTimings: `
    SELECT count(*) AS count, avg(processing_time_seconds) AS average, max(processing_time_seconds) AS max,
      percentile_disc(0.5) WITHIN GROUP (ORDER BY processing_time_seconds) AS p50,
      percentile_disc(0.95) WITHIN GROUP (ORDER BY processing_time_seconds) AS p95,
      percentile_disc(0.99) WITHIN GROUP (ORDER BY processing_time_seconds) AS p99
    FROM jobs WHERE ${OWNER_WINDOW} AND status = 'completed' AND processing_time_seconds IS NOT NULL`,
  ownerRetried: `SELECT count(*) AS count FROM jobs WHERE ${OWNER_WINDOW} AND retry_count > 0`,

  /**
   * $1 ids (uuid[]): those of the jobs that are pending, each with its jobs ahead (a listing's page),
   * numbered in one walk of jobs_claim_idx by reelqueue_queue_positions (migration 0025).
   */
  selectQueuePositions: `SELECT job_id::text AS id, jobs_ahead AS ahead FROM reelqueue_queue_positions($1::uuid[])`,

  /** $1 user id: an owner's jobs by status (jobs_user_created_idx). */
  countByStatusOfOwner: `SELECT status, count(*) AS count FROM jobs WHERE user_id = $1 GROUP BY status`,

  /** $1 user id or NULL: the age of the oldest pending job (jobs_pending_created_idx), in ms. */
  oldestPendingAgeMs: `
    SELECT extract(epoch FROM now() - min(created_at)) * 1000 AS age FROM jobs
    WHERE ${IS_PENDING} AND ($1::text IS NULL OR user_id = $1)`,

  /** $1 max age in hours: the cleanup's cut-off, read once for all its batches (text: to the µs). */
  cleanupCutoff: `SELECT (now() - make_interval(secs => $1::double precision * 3600))::text AS before`,
  /**
   * At most $4 finished jobs that finished before $1 (a range of jobs_finished_idx), $2 user id or
   * NULL, $3 statuses or NULL for all finished; the cleanup runs it, each its own transaction, until it
   * deletes fewer than a batch. The outer WHERE repeats the test: a job retried by hand after the
   * subquery's snapshot is checked again on its new version (READ COMMITTED) and kept.
   */
  cleanup: `
    DELETE FROM jobs WHERE ${IS_FINISHED} AND completed_at < $1::timestamptz AND id IN (
      SELECT id FROM jobs WHERE ${IS_FINISHED} AND completed_at < $1::timestamptz
        AND ($2::text IS NULL OR user_id = $2)
        AND ($3::text[] IS NULL OR status = ANY ($3::text[]))
      LIMIT $4)`,
  /** The same, aged from created_at (seed 002's `days` form). */
  cleanupCreatedBefore: `
    DELETE FROM jobs WHERE ${IS_FINISHED} AND created_at < $1::timestamptz AND id IN (
      SELECT id FROM jobs WHERE ${IS_FINISHED} AND created_at < $1::timestamptz
        AND ($2::text IS NULL OR user_id = $2)
        AND ($3::text[] IS NULL OR status = ANY ($3::text[]))
      LIMIT $4)`,

  ping: `SELECT 1`,
  /**
   * $1 parent ids, $2 the new job's owner or NULL: those of the parents that are the owner's,
   * locked in id order, so their status cannot change before the child is counted (and two enqueues
   * naming the same parents lock them in the same order).
   */
  lockParents: `
    SELECT id, status, error_code AS "errorCode" FROM jobs
    WHERE id = ANY($1::uuid[]) AND user_id IS NOT DISTINCT FROM $2::text
    ORDER BY id FOR UPDATE`,
  /** $1 parent ids: the parents' trigger (jobs_settle_children) fires from now on. */
  markParents: `UPDATE jobs SET has_children = true WHERE id = ANY($1::uuid[]) AND NOT has_children`,
  /** $1 child id, $2 parent ids. */
  insertDependencies: `
    INSERT INTO job_dependencies (child_id, parent_id) SELECT $1::uuid, unnest($2::uuid[])`,
  /**
   * $1 id, $2 status, $3 parents left, $4 rule, $5 error code or NULL, $6 message: a new child's
   * state once its parents are known (`initialDependencyState`), with an event when it ended.
   */
  settleNewChild: `
    WITH j AS (
      UPDATE jobs SET status = $2, waiting_parents = $3, on_parent_failure = $4, error_code = $5,
        error_message = CASE WHEN $5::text IS NULL THEN NULL ELSE $6 END, message = $6,
        completed_at = CASE WHEN $5::text IS NULL THEN NULL ELSE now() END
      WHERE id = $1
      RETURNING *),
    e AS (
      INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
      SELECT j.id, j.status, j.status, j.progress, j.stage, j.message, j.attempt, j.worker_id,
        jsonb_build_object('error_code', j.error_code)
      FROM j WHERE j.error_code IS NOT NULL)
    SELECT ${JOB_COLUMN('j')} FROM j`,
  /** $1 id, $2 progress, $3 stage, $4 message: progress of a waiting job (`reportWaitingProgress`). */
  waitingProgress: `
    WITH j AS (
      UPDATE jobs SET progress = greatest(progress, $2::integer), stage = $3, message = $4, updated_at = now()
      WHERE id = $1 AND ${statusIs(`'waiting'`)}
      RETURNING *),
    ${eventFrom(`'progress'`)}
    SELECT j.id FROM j`,
  /** $1 child id, $2 parent ids: a running job's new parents (`waitForJobs`), rows it has kept. */
  insertMoreDependencies: `
    INSERT INTO job_dependencies (child_id, parent_id) SELECT $1::uuid, unnest($2::uuid[])
    ON CONFLICT DO NOTHING`,
  /** $1 ids: the jobs a running job waits for, locked so none ends between the count and the park. */
  lockJobs: `SELECT id, status FROM jobs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
  /**
   * $1–$3 the lease, $4 how many of its new parents have not ended, $5 message, $6 channel: a running
   * job hands its worker back to wait for jobs it started (`waitForJobs`), pending at once when none
   * is left. The rule is `run`: one that ends unsuccessfully wakes the job too, which reads their
   * outcomes itself. The attempt is not used up (retry_count is untouched), like a release.
   */
  waitForJobs: `
    WITH j AS (
      UPDATE jobs SET status = CASE WHEN $4::integer > 0 THEN 'waiting' ELSE 'pending' END,
        waiting_parents = $4::integer, on_parent_failure = 'run', worker_id = NULL,
        lease_expires_at = NULL, started_event_id = NULL, updated_at = now(), run_at = now(),
        message = $5
      WHERE ${FENCE}
      RETURNING *),
    ${eventFrom(`'waiting'`)},
    ${notifyRequeued('$6')}
    SELECT ${JOB_COLUMN('j')} FROM j, ${NOTIFIED}`,
  /**
   * Waiting jobs whose attempt's deadline passed (`timeOutWaiting`, migration 0036) end `timeout`,
   * whatever retries are left: the jobs they waited for had their own. Triggers refund the points,
   * settle their children and queue their webhooks, as for any end. SKIP LOCKED: reapers of several
   * nodes share the rows instead of queuing on them.
   */
  timeOutWaiting: `
    WITH due AS MATERIALIZED (
      SELECT id FROM jobs WHERE status = 'waiting' AND deadline_at < now() FOR UPDATE SKIP LOCKED),
    j AS (
      UPDATE jobs SET status = 'timeout', completed_at = now(), updated_at = now(), error_code = 'JOB_TIMEOUT',
        error_message = 'The job ran past its timeout of ' || timeout_seconds
          || ' s while it waited for the jobs it started',
        error_details = jsonb_build_object('timeout_seconds', timeout_seconds, 'waiting', true),
        message = 'Timed out', processing_time_seconds = extract(epoch FROM now() - started_at)
      FROM due WHERE jobs.id = due.id AND ${statusIs(`'waiting'`, 'jobs.')}
      RETURNING jobs.*),
    ${eventFrom(`'timeout'`, `jsonb_build_object('error_code', j.error_code, 'error_message', j.error_message)`)}
    SELECT ${JOB_COLUMN('j')} FROM j`,
  /** $1 id, $2 user id or NULL: the job's rule, when it is in the scope. */
  selectRule: `SELECT on_parent_failure AS rule FROM jobs WHERE id = $1 AND ($2::text IS NULL OR user_id = $2)`,
  /** $1 id: its parents and its children, each list in id order. */
  selectFamily: `
    SELECT
      ARRAY(SELECT parent_id::text FROM job_dependencies WHERE child_id = $1 ORDER BY parent_id) AS parents,
      ARRAY(SELECT child_id::text FROM job_dependencies WHERE parent_id = $1 ORDER BY child_id) AS children`,
} as const;

/** Conditions of `recoverWhere`: $3 is unused for leases, the stale heartbeat's minutes otherwise. */
export const leaseExpired = `lease_expires_at < now()`;
export const heartbeatOlderThan = `coalesce(last_heartbeat, started_at) < now() - make_interval(secs => $3::double precision * 60)`;
