-- Jobs that wait for others (issue 24): a job may name the jobs it depends on (its parents) when it
-- is queued. It stays `waiting` until every parent completes, then becomes `pending` in the
-- transaction of the last parent's completion. What a parent that ends failed, timed out or
-- cancelled does to a waiting child is the child's `on_parent_failure`: `fail` (default), `cancel`,
-- or `run` (the parent counts as settled). A manual retry of a parent puts its waiting children and
-- those failed or cancelled by it (PARENT_FAILED, PARENT_CANCELLED) back to waiting, transitively.
--
-- jobs gets three columns: on_parent_failure; waiting_parents, the parents not yet settled (the
-- job becomes pending when it reaches 0); has_children, set when a child names the job, so the
-- triggers below test one column of the updated row and cost a job without children nothing.
-- The status CHECK allows 'waiting'; the finished-job indexes leave waiting jobs out; a partial
-- index holds the waiting jobs. SQLite cannot change a CHECK in place, so jobs is rebuilt (as in
-- 0009) and its indexes and triggers made again, the same but for the predicates that name statuses.
--
-- Triggers do the work in the transaction that changes the parent, whichever path changes it (a
-- worker, a cancel, the reaper, a retry). SQLite does not fire a trigger from its own statements
-- (recursive_triggers is off), so the failure and retry triggers walk the descendants themselves
-- with a recursive query.

CREATE TABLE jobs_0030 (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  user_id TEXT,
  lesson_id TEXT,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status = 'pending' OR status = 'running' OR status = 'completed' OR status = 'failed'
      OR status = 'cancelled' OR status = 'timeout' OR status = 'waiting'),
  priority INTEGER NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
  payload TEXT NOT NULL DEFAULT '{}',
  progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  stage TEXT,
  message TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  started_at INTEGER,
  completed_at INTEGER,
  timeout_seconds INTEGER NOT NULL CHECK (timeout_seconds > 0),
  attempt INTEGER NOT NULL DEFAULT 0,
  retry_count INTEGER NOT NULL DEFAULT 0,
  max_retries INTEGER NOT NULL CHECK (max_retries >= 0),
  worker_id TEXT,
  lease_expires_at INTEGER,
  last_heartbeat INTEGER,
  cancel_requested_at INTEGER,
  cancel_reason TEXT,
  result TEXT,
  error_code TEXT,
  error_message TEXT,
  error_details TEXT,
  idempotency_key TEXT,
  processing_time_seconds REAL,
  cost_points INTEGER NOT NULL DEFAULT 0 CHECK (cost_points >= 0),
  points_charged INTEGER NOT NULL DEFAULT 0 CHECK (points_charged >= 0),
  lost_attempts INTEGER NOT NULL DEFAULT 0 CHECK (lost_attempts >= 0),
  on_parent_failure TEXT NOT NULL DEFAULT 'fail'
    CHECK (on_parent_failure = 'fail' OR on_parent_failure = 'cancel' OR on_parent_failure = 'run'),
  waiting_parents INTEGER NOT NULL DEFAULT 0,
  has_children INTEGER NOT NULL DEFAULT 0 CHECK (has_children = 0 OR has_children = 1)
) STRICT;

INSERT INTO jobs_0030 (id, kind, user_id, lesson_id, status, priority, payload, progress, stage, message,
  created_at, updated_at, run_at, started_at, completed_at, timeout_seconds, attempt, retry_count,
  max_retries, worker_id, lease_expires_at, last_heartbeat, cancel_requested_at, cancel_reason, result,
  error_code, error_message, error_details, idempotency_key, processing_time_seconds, cost_points,
  points_charged, lost_attempts)
SELECT id, kind, user_id, lesson_id, status, priority, payload, progress, stage, message,
  created_at, updated_at, run_at, started_at, completed_at, timeout_seconds, attempt, retry_count,
  max_retries, worker_id, lease_expires_at, last_heartbeat, cancel_requested_at, cancel_reason, result,
  error_code, error_message, error_details, idempotency_key, processing_time_seconds, cost_points,
  points_charged, lost_attempts
FROM jobs;

-- Dropping a table drops its indexes and triggers (without firing them). The view presentation_jobs
-- and the foreign keys of artifacts and webhook_deliveries name `jobs`; legacy renaming keeps them
-- as written, so they name the rebuilt table once it takes the name.
DROP TABLE jobs;
PRAGMA legacy_alter_table = ON;
ALTER TABLE jobs_0030 RENAME TO jobs;
PRAGMA legacy_alter_table = OFF;

CREATE INDEX jobs_claim_idx ON jobs (priority DESC, run_at, id) WHERE status = 'pending';
CREATE INDEX jobs_created_idx ON jobs (created_at DESC, id DESC);
-- Finished: neither pending, running nor waiting (`IS_FINISHED` of src/db/status-predicates.ts).
CREATE INDEX jobs_finished_idx ON jobs (completed_at, status)
  WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting';
CREATE UNIQUE INDEX jobs_idempotency_idx ON jobs (coalesce(user_id, ''), idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_pending_created_idx ON jobs (created_at, status) WHERE status = 'pending';
CREATE INDEX jobs_unsuccessful_created_idx ON jobs (created_at DESC, id DESC)
  WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting' AND status <> 'completed';
CREATE INDEX jobs_user_created_idx ON jobs (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL;
-- Waiting jobs, by parents left: counts by status, and the recount after a retry (waiting_parents 0).
CREATE INDEX jobs_waiting_idx ON jobs (waiting_parents) WHERE status = 'waiting';

-- A child's parents, and (by the second index) a parent's children.
CREATE TABLE job_dependencies (
  child_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  parent_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  PRIMARY KEY (child_id, parent_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX job_dependencies_parent_idx ON job_dependencies (parent_id, child_id);

CREATE TRIGGER jobs_events_delete AFTER DELETE ON jobs
BEGIN
  DELETE FROM job_events WHERE job_id = OLD.id;
END;

CREATE TRIGGER jobs_points_charge AFTER INSERT ON jobs
WHEN NEW.cost_points > 0 AND NEW.user_id IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'insufficient points')
  WHERE coalesce((SELECT prompt_points FROM users WHERE id = NEW.user_id), -1) < NEW.cost_points;
  UPDATE users SET prompt_points = prompt_points - NEW.cost_points WHERE id = NEW.user_id;
  UPDATE jobs SET points_charged = NEW.cost_points WHERE id = NEW.id;
END;

CREATE TRIGGER jobs_points_recharge AFTER UPDATE OF status ON jobs
WHEN NEW.points_charged = 0 AND NEW.cost_points > 0 AND NEW.user_id IS NOT NULL
  AND (OLD.status = 'failed' OR OLD.status = 'cancelled' OR OLD.status = 'timeout')
  AND NEW.status <> 'failed' AND NEW.status <> 'cancelled' AND NEW.status <> 'timeout'
BEGIN
  SELECT RAISE(ABORT, 'insufficient points')
  WHERE coalesce((SELECT prompt_points FROM users WHERE id = NEW.user_id), -1) < NEW.cost_points;
  UPDATE users SET prompt_points = prompt_points - NEW.cost_points WHERE id = NEW.user_id;
  UPDATE jobs SET points_charged = NEW.cost_points WHERE id = NEW.id;
END;

CREATE TRIGGER jobs_points_refund AFTER UPDATE OF status ON jobs
WHEN OLD.points_charged > 0
  AND (NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'timeout')
  AND OLD.status <> 'failed' AND OLD.status <> 'cancelled' AND OLD.status <> 'timeout'
BEGIN
  UPDATE users SET prompt_points = prompt_points + OLD.points_charged WHERE id = OLD.user_id;
  UPDATE jobs SET points_charged = 0 WHERE id = NEW.id;
END;

CREATE TRIGGER jobs_rollup_delete AFTER DELETE ON jobs
BEGIN
  INSERT INTO job_rollup_deltas
    (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
  VALUES (OLD.created_at - OLD.created_at % 60000, OLD.kind, OLD.status, OLD.priority, OLD.retry_count > 0,
    CASE WHEN (OLD.status = 'failed' OR OLD.status = 'timeout' OR OLD.status = 'cancelled') THEN OLD.error_code END,
    CASE WHEN OLD.status = 'completed' AND OLD.processing_time_seconds IS NOT NULL
      THEN CAST(ceil(ln(max(OLD.processing_time_seconds, 0.001)) / ln(1.05)) AS INTEGER) END,
    CASE WHEN OLD.status = 'completed' THEN -OLD.processing_time_seconds END,
    -1);
END;

CREATE TRIGGER jobs_rollup_insert AFTER INSERT ON jobs
BEGIN
  INSERT INTO job_rollup_deltas
    (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
  VALUES (NEW.created_at - NEW.created_at % 60000, NEW.kind, NEW.status, NEW.priority, NEW.retry_count > 0,
    CASE WHEN (NEW.status = 'failed' OR NEW.status = 'timeout' OR NEW.status = 'cancelled') THEN NEW.error_code END,
    CASE WHEN NEW.status = 'completed' AND NEW.processing_time_seconds IS NOT NULL
      THEN CAST(ceil(ln(max(NEW.processing_time_seconds, 0.001)) / ln(1.05)) AS INTEGER) END,
    CASE WHEN NEW.status = 'completed' THEN NEW.processing_time_seconds END,
    1);
END;

CREATE TRIGGER jobs_rollup_update
AFTER UPDATE OF kind, status, priority, created_at, retry_count, error_code, processing_time_seconds ON jobs
WHEN OLD.status IS NOT NEW.status OR OLD.kind IS NOT NEW.kind OR OLD.priority IS NOT NEW.priority
  OR OLD.created_at IS NOT NEW.created_at OR (OLD.retry_count > 0) IS NOT (NEW.retry_count > 0)
  OR OLD.error_code IS NOT NEW.error_code OR OLD.processing_time_seconds IS NOT NEW.processing_time_seconds
BEGIN
  INSERT INTO job_rollup_deltas
    (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
  VALUES (OLD.created_at - OLD.created_at % 60000, OLD.kind, OLD.status, OLD.priority, OLD.retry_count > 0,
    CASE WHEN (OLD.status = 'failed' OR OLD.status = 'timeout' OR OLD.status = 'cancelled') THEN OLD.error_code END,
    CASE WHEN OLD.status = 'completed' AND OLD.processing_time_seconds IS NOT NULL
      THEN CAST(ceil(ln(max(OLD.processing_time_seconds, 0.001)) / ln(1.05)) AS INTEGER) END,
    CASE WHEN OLD.status = 'completed' THEN -OLD.processing_time_seconds END,
    -1),
  (NEW.created_at - NEW.created_at % 60000, NEW.kind, NEW.status, NEW.priority, NEW.retry_count > 0,
    CASE WHEN (NEW.status = 'failed' OR NEW.status = 'timeout' OR NEW.status = 'cancelled') THEN NEW.error_code END,
    CASE WHEN NEW.status = 'completed' AND NEW.processing_time_seconds IS NOT NULL
      THEN CAST(ceil(ln(max(NEW.processing_time_seconds, 0.001)) / ln(1.05)) AS INTEGER) END,
    CASE WHEN NEW.status = 'completed' THEN NEW.processing_time_seconds END,
    1);
END;

CREATE TRIGGER jobs_started_or_completed_event AFTER UPDATE OF status ON jobs
WHEN (OLD.status = 'pending' AND NEW.status = 'running')
  OR (OLD.status = 'running' AND NEW.status = 'completed')
BEGIN
  INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  VALUES (NEW.id,
    CASE NEW.status WHEN 'running' THEN NEW.started_at ELSE NEW.completed_at END,
    CASE NEW.status WHEN 'running' THEN 'started' ELSE 'completed' END,
    NEW.status, NEW.progress, NEW.stage, NEW.message, NEW.attempt, NEW.worker_id, NULL);
END;

CREATE TRIGGER jobs_webhook_enqueue AFTER UPDATE OF status ON jobs
WHEN (OLD.status = 'pending' OR OLD.status = 'running' OR OLD.status = 'waiting')
  AND NEW.status <> 'pending' AND NEW.status <> 'running' AND NEW.status <> 'waiting'
  AND CASE WHEN json_valid(NEW.payload) THEN json_type(NEW.payload, '$.webhook_url') END = 'text'
BEGIN
  INSERT INTO jobs (id, kind, user_id, status, priority, payload, created_at, updated_at, run_at,
    timeout_seconds, max_retries)
  VALUES (
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
      || substr(lower(hex(randomblob(2))), 2) || '-'
      || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-'
      || lower(hex(randomblob(6))),
    'webhook', NEW.user_id, 'pending', 3,
    json_object('job_id', NEW.id, 'url', json_extract(NEW.payload, '$.webhook_url'), 'status', NEW.status),
    CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER),
    CAST(unixepoch('subsec') * 1000 AS INTEGER), 60, 5);
END;

-- A parent completed: each waiting child has one parent fewer to wait for; at none it is pending.
CREATE TRIGGER jobs_parent_completed AFTER UPDATE OF status ON jobs
WHEN NEW.has_children = 1 AND NEW.status = 'completed' AND OLD.status <> 'completed'
BEGIN
  INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT c.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), 'ready', 'pending', c.progress, c.stage, 'Queued: the jobs it depends on completed',
    c.attempt, NULL, json_object('parent_id', NEW.id)
  FROM jobs AS c
  WHERE c.id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id)
    AND c.status = 'waiting' AND c.waiting_parents = 1;
  UPDATE jobs SET waiting_parents = waiting_parents - 1,
    status = CASE WHEN waiting_parents = 1 THEN 'pending' ELSE status END,
    message = CASE WHEN waiting_parents = 1 THEN 'Queued: the jobs it depends on completed' ELSE message END,
    updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
  WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id) AND status = 'waiting';
END;

-- A parent ended failed, timed out or cancelled: its waiting children end failed (`fail`) or
-- cancelled (`cancel`), and so on down (the doomed set); children that `run` anyway count it as
-- settled, as they do the doomed parents they have.
CREATE TRIGGER jobs_parent_unsuccessful AFTER UPDATE OF status ON jobs
WHEN NEW.has_children = 1
  AND (NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'timeout')
  AND OLD.status <> 'failed' AND OLD.status <> 'cancelled' AND OLD.status <> 'timeout'
BEGIN
  INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT c.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), 'ready', 'pending', c.progress, c.stage, 'Queued: the jobs it depends on are settled',
    c.attempt, NULL, json_object('parent_id', NEW.id)
  FROM jobs AS c JOIN (SELECT d.child_id AS id, count(*) AS settled FROM job_dependencies AS d
      WHERE d.parent_id = NEW.id OR d.parent_id IN (WITH RECURSIVE doomed(id) AS (
      SELECT c.id FROM job_dependencies AS d JOIN jobs AS c ON c.id = d.child_id
      WHERE d.parent_id = NEW.id AND c.status = 'waiting' AND c.on_parent_failure <> 'run'
      UNION
      SELECT c.id FROM doomed JOIN job_dependencies AS d ON d.parent_id = doomed.id
        JOIN jobs AS c ON c.id = d.child_id
      WHERE c.status = 'waiting' AND c.on_parent_failure <> 'run')
    SELECT id FROM doomed)
      GROUP BY d.child_id) AS x ON x.id = c.id
  WHERE c.status = 'waiting' AND c.on_parent_failure = 'run' AND c.waiting_parents <= x.settled;
  UPDATE jobs SET waiting_parents = max(waiting_parents - x.settled, 0),
    status = CASE WHEN waiting_parents <= x.settled THEN 'pending' ELSE status END,
    message = CASE WHEN waiting_parents <= x.settled THEN 'Queued: the jobs it depends on are settled'
      ELSE message END,
    updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM (SELECT d.child_id AS id, count(*) AS settled FROM job_dependencies AS d
      WHERE d.parent_id = NEW.id OR d.parent_id IN (WITH RECURSIVE doomed(id) AS (
      SELECT c.id FROM job_dependencies AS d JOIN jobs AS c ON c.id = d.child_id
      WHERE d.parent_id = NEW.id AND c.status = 'waiting' AND c.on_parent_failure <> 'run'
      UNION
      SELECT c.id FROM doomed JOIN job_dependencies AS d ON d.parent_id = doomed.id
        JOIN jobs AS c ON c.id = d.child_id
      WHERE c.status = 'waiting' AND c.on_parent_failure <> 'run')
    SELECT id FROM doomed)
      GROUP BY d.child_id) AS x
  WHERE jobs.id = x.id AND jobs.status = 'waiting' AND jobs.on_parent_failure = 'run';
  INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT c.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), CASE c.on_parent_failure WHEN 'cancel' THEN 'cancelled' ELSE 'failed' END,
    CASE c.on_parent_failure WHEN 'cancel' THEN 'cancelled' ELSE 'failed' END, c.progress, c.stage,
    'A job it depends on did not complete', c.attempt, NULL,
    json_object('error_code', CASE WHEN NEW.error_code = 'PARENT_FAILED' OR NEW.error_code = 'PARENT_CANCELLED' THEN NEW.error_code
      WHEN NEW.status = 'cancelled' THEN 'PARENT_CANCELLED' ELSE 'PARENT_FAILED' END)
  FROM jobs AS c WHERE c.id IN (WITH RECURSIVE doomed(id) AS (
      SELECT c.id FROM job_dependencies AS d JOIN jobs AS c ON c.id = d.child_id
      WHERE d.parent_id = NEW.id AND c.status = 'waiting' AND c.on_parent_failure <> 'run'
      UNION
      SELECT c.id FROM doomed JOIN job_dependencies AS d ON d.parent_id = doomed.id
        JOIN jobs AS c ON c.id = d.child_id
      WHERE c.status = 'waiting' AND c.on_parent_failure <> 'run')
    SELECT id FROM doomed);
  UPDATE jobs SET status = CASE on_parent_failure WHEN 'cancel' THEN 'cancelled' ELSE 'failed' END,
    completed_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER),
    error_code = CASE WHEN NEW.error_code = 'PARENT_FAILED' OR NEW.error_code = 'PARENT_CANCELLED' THEN NEW.error_code
      WHEN NEW.status = 'cancelled' THEN 'PARENT_CANCELLED' ELSE 'PARENT_FAILED' END,
    error_message = 'A job it depends on did not complete', message = 'A job it depends on did not complete'
  WHERE id IN (WITH RECURSIVE doomed(id) AS (
      SELECT c.id FROM job_dependencies AS d JOIN jobs AS c ON c.id = d.child_id
      WHERE d.parent_id = NEW.id AND c.status = 'waiting' AND c.on_parent_failure <> 'run'
      UNION
      SELECT c.id FROM doomed JOIN job_dependencies AS d ON d.parent_id = doomed.id
        JOIN jobs AS c ON c.id = d.child_id
      WHERE c.status = 'waiting' AND c.on_parent_failure <> 'run')
    SELECT id FROM doomed);
END;

-- A parent was retried by hand: its waiting children, and those it failed or cancelled (with theirs,
-- down the line), wait again, each for the parents it has left (recounted: waiting_parents 0 marks
-- them until then).
CREATE TRIGGER jobs_parent_retried AFTER UPDATE OF status ON jobs
WHEN NEW.has_children = 1 AND (NEW.status = 'pending' OR NEW.status = 'waiting')
  AND (OLD.status = 'failed' OR OLD.status = 'cancelled' OR OLD.status = 'timeout')
BEGIN
  INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT c.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), 'retried', 'waiting', 0, NULL, 'Waiting again: a job it depends on was retried',
    c.attempt, NULL, json_object('parent_id', NEW.id)
  FROM jobs AS c WHERE c.id IN (WITH RECURSIVE revived(id, ended) AS (
      SELECT c.id, c.status <> 'waiting' FROM job_dependencies AS d JOIN jobs AS c ON c.id = d.child_id
      WHERE d.parent_id = NEW.id AND (c.status = 'waiting' OR (
        (c.status = 'failed' OR c.status = 'cancelled')
        AND (c.error_code = 'PARENT_FAILED' OR c.error_code = 'PARENT_CANCELLED')))
      UNION
      SELECT c.id, c.status <> 'waiting' FROM revived JOIN job_dependencies AS d ON d.parent_id = revived.id
        JOIN jobs AS c ON c.id = d.child_id
      WHERE revived.ended AND (c.status = 'waiting' OR (
        (c.status = 'failed' OR c.status = 'cancelled')
        AND (c.error_code = 'PARENT_FAILED' OR c.error_code = 'PARENT_CANCELLED'))))
    SELECT id FROM revived) AND c.status <> 'waiting';
  UPDATE jobs SET status = 'waiting', waiting_parents = 0, completed_at = NULL, updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER),
    error_code = NULL, error_message = NULL, error_details = NULL, cancel_requested_at = NULL,
    cancel_reason = NULL, progress = 0, stage = NULL,
    message = 'Waiting again: a job it depends on was retried'
  WHERE id IN (WITH RECURSIVE revived(id, ended) AS (
      SELECT c.id, c.status <> 'waiting' FROM job_dependencies AS d JOIN jobs AS c ON c.id = d.child_id
      WHERE d.parent_id = NEW.id AND (c.status = 'waiting' OR (
        (c.status = 'failed' OR c.status = 'cancelled')
        AND (c.error_code = 'PARENT_FAILED' OR c.error_code = 'PARENT_CANCELLED')))
      UNION
      SELECT c.id, c.status <> 'waiting' FROM revived JOIN job_dependencies AS d ON d.parent_id = revived.id
        JOIN jobs AS c ON c.id = d.child_id
      WHERE revived.ended AND (c.status = 'waiting' OR (
        (c.status = 'failed' OR c.status = 'cancelled')
        AND (c.error_code = 'PARENT_FAILED' OR c.error_code = 'PARENT_CANCELLED'))))
    SELECT id FROM revived);
  UPDATE jobs SET waiting_parents = (
    SELECT count(*) FROM job_dependencies AS d JOIN jobs AS p ON p.id = d.parent_id
    WHERE d.child_id = jobs.id AND p.status <> 'completed'
      AND NOT (jobs.on_parent_failure = 'run'
        AND (p.status = 'failed' OR p.status = 'cancelled' OR p.status = 'timeout')))
  WHERE status = 'waiting' AND waiting_parents = 0;
END;
