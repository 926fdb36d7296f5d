-- index api_keys_user_idx
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);

-- index artifacts_job_kind_idx
CREATE INDEX artifacts_job_kind_idx ON artifacts (job_id, kind);

-- index job_dependencies_parent_idx
CREATE INDEX job_dependencies_parent_idx ON job_dependencies (parent_id, child_id);

-- index job_events_job_idx
CREATE INDEX job_events_job_idx ON job_events (job_id, id);

-- index jobs_claim_idx
CREATE INDEX jobs_claim_idx ON jobs (priority DESC, run_at, id) WHERE status = 'pending';

-- index jobs_created_idx
CREATE INDEX jobs_created_idx ON jobs (created_at DESC, id DESC);

-- index jobs_finished_idx
CREATE INDEX jobs_finished_idx ON jobs (completed_at, status)
  WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting';

-- index jobs_finished_status_created_idx
CREATE INDEX jobs_finished_status_created_idx ON jobs (status, created_at DESC, id DESC)
  WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting';

-- index jobs_idempotency_idx
CREATE UNIQUE INDEX jobs_idempotency_idx ON jobs (coalesce(user_id, ''), idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- index jobs_kind_created_idx
CREATE INDEX jobs_kind_created_idx ON jobs (kind, created_at DESC, id DESC);

-- index jobs_lease_idx
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';

-- index jobs_pending_created_idx
CREATE INDEX jobs_pending_created_idx ON jobs (created_at, id) WHERE status = 'pending';

-- index jobs_unsuccessful_created_idx
CREATE INDEX jobs_unsuccessful_created_idx ON jobs (created_at DESC, id DESC)
  WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting' AND status <> 'completed';

-- index jobs_user_created_idx
CREATE INDEX jobs_user_created_idx ON jobs (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL;

-- index jobs_waiting_deadline_idx
CREATE INDEX jobs_waiting_deadline_idx ON jobs (deadline_at) WHERE status = 'waiting';

-- index jobs_waiting_idx
CREATE INDEX jobs_waiting_idx ON jobs (waiting_parents) WHERE status = 'waiting';

-- index lessons_user_created_idx
CREATE INDEX lessons_user_created_idx ON lessons (user_id, created_at DESC, id DESC);

-- index schedules_due_idx
CREATE INDEX schedules_due_idx ON schedules (next_run_at) WHERE enabled = 1;

-- index webhook_deliveries_job_idx
CREATE INDEX webhook_deliveries_job_idx ON webhook_deliveries (job_id, at, id);

-- index worker_processes_hostname_idx
CREATE INDEX worker_processes_hostname_idx ON worker_processes (hostname);

-- table api_keys
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  prefix TEXT NOT NULL UNIQUE,
  key_hash TEXT NOT NULL,
  label TEXT,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
) STRICT;

-- table artifact_chunks
CREATE TABLE artifact_chunks (
  artifact_id TEXT NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL CHECK (seq >= 0),
  data BLOB NOT NULL,
  PRIMARY KEY (artifact_id, seq)
) STRICT;

-- table artifacts
CREATE TABLE artifacts (
  id TEXT PRIMARY KEY NOT NULL,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER CHECK (size >= 0),
  sha256 TEXT,
  chunk_size INTEGER NOT NULL CHECK (chunk_size > 0),
  -- The job attempt (lease) that wrote it.
  attempt INTEGER NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
  created_at INTEGER NOT NULL,
  completed_at INTEGER,
  CHECK (complete = 0 OR (size IS NOT NULL AND sha256 IS NOT NULL AND completed_at IS NOT NULL))
) STRICT;

-- table deployment
CREATE TABLE deployment (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  id TEXT NOT NULL CHECK (length(id) = 32),
  created_at INTEGER NOT NULL
) STRICT;

-- table job_count_rollups
CREATE TABLE job_count_rollups (
  span_ms INTEGER NOT NULL,
  bucket_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  retried INTEGER NOT NULL,
  jobs INTEGER NOT NULL,
  PRIMARY KEY (span_ms, bucket_ms, kind, status, priority, retried)
) WITHOUT ROWID;

-- table job_dependencies
CREATE TABLE job_dependencies (
  child_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  parent_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  PRIMARY KEY (child_id, parent_id)
) STRICT, WITHOUT ROWID;

-- table job_duration_rollups
CREATE TABLE job_duration_rollups (
  span_ms INTEGER NOT NULL,
  bucket_ms INTEGER NOT NULL,
  duration_bucket INTEGER NOT NULL,
  jobs INTEGER NOT NULL,
  seconds REAL NOT NULL,
  PRIMARY KEY (span_ms, bucket_ms, duration_bucket)
) WITHOUT ROWID;

-- table job_error_rollups
CREATE TABLE job_error_rollups (
  span_ms INTEGER NOT NULL,
  bucket_ms INTEGER NOT NULL,
  error_code TEXT NOT NULL,
  jobs INTEGER NOT NULL,
  PRIMARY KEY (span_ms, bucket_ms, error_code)
) WITHOUT ROWID;

-- table job_events
CREATE TABLE "job_events" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  progress INTEGER NOT NULL,
  stage TEXT,
  message TEXT,
  attempt INTEGER NOT NULL,
  worker_id TEXT,
  data TEXT
) STRICT;

-- table job_rollup_deltas
CREATE TABLE job_rollup_deltas (
  id INTEGER PRIMARY KEY,
  bucket_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  retried INTEGER NOT NULL,
  -- Only of failed, timeout and cancelled jobs (what statistics' error codes count).
  error_code TEXT,
  -- Only of completed jobs with a processing time.
  duration_bucket INTEGER,
  -- The processing seconds this row adds (negative when it takes a job away).
  seconds REAL,
  change INTEGER NOT NULL
);

-- table jobs
CREATE TABLE "jobs" (
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
, started_event_id INTEGER, completed_event_id INTEGER, deadline_at INTEGER) STRICT;

-- table key_revision
CREATE TABLE key_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL
) STRICT;

-- table lessons
CREATE TABLE lessons (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  -- The validated lesson: {"title": …, "slides": [{"title", "bullets", "narration"}]}.
  body TEXT NOT NULL CHECK (json_valid(body)),
  created_at INTEGER NOT NULL
) STRICT;

-- table maintenance_runs
CREATE TABLE maintenance_runs (
  name TEXT PRIMARY KEY NOT NULL,
  last_run_at INTEGER NOT NULL,
  node TEXT NOT NULL
) STRICT;

-- table schedules
CREATE TABLE schedules (
  name TEXT PRIMARY KEY NOT NULL,
  cron TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  catch_up TEXT NOT NULL CHECK (catch_up IN ('skip', 'last', 'all')),
  catch_up_limit INTEGER NOT NULL CHECK (catch_up_limit BETWEEN 1 AND 1000),
  next_run_at INTEGER,
  last_run_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK (enabled = (next_run_at IS NOT NULL))
) STRICT;

-- table schema_migrations
CREATE TABLE schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      checksum TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    ) STRICT;

-- table users
CREATE TABLE "users" (
  id TEXT PRIMARY KEY NOT NULL,
  wallet_address TEXT UNIQUE,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin', 'service')),
  prompt_points INTEGER NOT NULL DEFAULT 0 CHECK (prompt_points >= 0),
  -- Signs this user's webhook deliveries (HMAC-SHA256).
  webhook_secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  previous_webhook_secret TEXT,
  previous_webhook_secret_expires_at INTEGER
    CHECK ((previous_webhook_secret IS NULL) = (previous_webhook_secret_expires_at IS NULL))
) STRICT;

-- table webhook_deliveries
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY NOT NULL,
  -- The `webhook` job that made the attempt (sent as X-Reelqueue-Delivery); kept when it is cleaned up.
  webhook_job_id TEXT NOT NULL,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL CHECK (attempt >= 1),
  url TEXT NOT NULL,
  event TEXT NOT NULL,
  -- The receiver's HTTP status, or NULL when no answer came (then `error` says why).
  status_code INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
  at INTEGER NOT NULL
) STRICT;

-- table worker_processes
CREATE TABLE worker_processes (
  worker_id TEXT PRIMARY KEY NOT NULL,
  hostname TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  pid_namespace TEXT NOT NULL,
  pid INTEGER NOT NULL,
  start_time TEXT NOT NULL,
  registered_at INTEGER NOT NULL
) STRICT;

-- trigger api_keys_changed
CREATE TRIGGER api_keys_changed AFTER UPDATE OF revoked_at, key_hash, prefix, user_id ON api_keys
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;

-- trigger api_keys_deleted
CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;

-- trigger jobs_events_delete
CREATE TRIGGER jobs_events_delete AFTER DELETE ON jobs
BEGIN
  DELETE FROM job_events WHERE job_id = OLD.id;
END;

-- trigger jobs_parent_completed
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

-- trigger jobs_parent_retried
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

-- trigger jobs_parent_unsuccessful
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

-- trigger jobs_points_charge
CREATE TRIGGER jobs_points_charge AFTER INSERT ON jobs
WHEN NEW.cost_points > 0 AND NEW.user_id IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'insufficient points')
  WHERE coalesce((SELECT prompt_points FROM users WHERE id = NEW.user_id), -1) < NEW.cost_points;
  UPDATE users SET prompt_points = prompt_points - NEW.cost_points WHERE id = NEW.user_id;
  UPDATE jobs SET points_charged = NEW.cost_points WHERE id = NEW.id;
END;

-- trigger jobs_points_recharge
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

-- trigger jobs_points_refund
CREATE TRIGGER jobs_points_refund AFTER UPDATE OF status ON jobs
WHEN OLD.points_charged > 0
  AND (NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'timeout')
  AND OLD.status <> 'failed' AND OLD.status <> 'cancelled' AND OLD.status <> 'timeout'
BEGIN
  UPDATE users SET prompt_points = prompt_points + OLD.points_charged WHERE id = OLD.user_id;
  UPDATE jobs SET points_charged = 0 WHERE id = NEW.id;
END;

-- trigger jobs_rollup_delete
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

-- trigger jobs_rollup_insert
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

-- trigger jobs_rollup_update
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

-- trigger jobs_store_held_events
CREATE TRIGGER jobs_store_held_events AFTER UPDATE OF started_event_id, completed_event_id ON jobs
WHEN (OLD.started_event_id IS NOT NULL AND NEW.started_event_id IS NOT OLD.started_event_id)
  OR (OLD.completed_event_id IS NOT NULL AND NEW.completed_event_id IS NOT OLD.completed_event_id)
BEGIN
  INSERT INTO job_events (id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT OLD.started_event_id, OLD.id, OLD.started_at, 'started', 'running',
    coalesce((SELECT CASE WHEN e.type = 'ready' OR e.type = 'waiting' THEN e.progress ELSE 0 END
      FROM job_events AS e WHERE e.job_id = OLD.id AND e.id < OLD.started_event_id
      ORDER BY e.id DESC LIMIT 1), 0),
    NULL, 'Started', OLD.attempt, OLD.worker_id, NULL
  WHERE OLD.started_event_id IS NOT NULL AND NEW.started_event_id IS NOT OLD.started_event_id;
  INSERT INTO job_events (id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT OLD.completed_event_id, OLD.id, OLD.completed_at, 'completed', 'completed', 100, OLD.stage,
    'Completed', OLD.attempt, OLD.worker_id, NULL
  WHERE OLD.completed_event_id IS NOT NULL AND NEW.completed_event_id IS NOT OLD.completed_event_id;
END;

-- trigger jobs_webhook_enqueue
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

-- trigger users_changed
CREATE TRIGGER users_changed AFTER UPDATE OF id, role, wallet_address ON users
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;

-- trigger users_deleted
CREATE TRIGGER users_deleted AFTER DELETE ON users
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;

-- view presentation_jobs
CREATE VIEW presentation_jobs AS
SELECT
  j.id,
  j.lesson_id,
  j.user_id,
  j.status,
  CASE j.priority WHEN 0 THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END AS priority,
  j.progress,
  j.message,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.created_at / 1000.0, 'unixepoch') AS created_at,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.started_at / 1000.0, 'unixepoch') AS started_at,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.completed_at / 1000.0, 'unixepoch') AS completed_at,
  j.timeout_seconds,
  json_extract(j.result, '$.presentation_id') AS presentation_id,
  json_extract(j.result, '$.slide_count') AS slide_count,
  j.result AS result_data,
  j.retry_count,
  j.max_retries,
  j.error_code,
  j.error_message,
  j.error_details,
  coalesce(json_extract(j.payload, '$.style'), 'default') AS style,
  coalesce(json_extract(j.payload, '$.use_llm_polish'), 0) AS use_llm_polish,
  j.worker_id,
  CASE WHEN j.status = 'pending' THEN (
    SELECT count(*) FROM jobs AS ahead
    WHERE ahead.status = 'pending'
      AND (ahead.priority > j.priority
        OR (ahead.priority = j.priority AND (ahead.run_at < j.run_at
          OR (ahead.run_at = j.run_at AND ahead.id < j.id))))
  ) END AS queue_position,
  j.processing_time_seconds,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id END AS video_url,
  CASE WHEN j.status = 'completed' THEN '/api/videos/' || j.id || '/thumbnail' END AS thumbnail_url,
  coalesce(
    json_extract(j.result, '$.slide_image_path'),
    CASE WHEN j.status = 'completed' AND EXISTS (
      SELECT 1 FROM artifacts AS a WHERE a.job_id = j.id AND a.kind = 'thumbnail' AND a.complete = 1
    ) THEN '/api/videos/' || j.id || '/thumbnail' END
  ) AS slide_image_path,
  strftime('%Y-%m-%dT%H:%M:%fZ', j.last_heartbeat / 1000.0, 'unixepoch') AS last_heartbeat,
  coalesce(
    json_extract(j.result, '$.created_files'),
    CASE WHEN j.status = 'completed' THEN (
      SELECT json_group_array(
        CASE a.kind WHEN 'video' THEN '/api/videos/' || j.id ELSE '/api/videos/' || j.id || '/thumbnail' END
        ORDER BY a.kind DESC)
      FROM artifacts AS a
      WHERE a.job_id = j.id AND a.kind IN ('video', 'thumbnail') AND a.complete = 1
    ) END,
    '[]'
  ) AS created_files,
  j.id AS job_id,
  j.error_message AS error,
  j.progress / 100.0 AS progress_fraction
FROM jobs AS j
WHERE j.kind = 'presentation';
