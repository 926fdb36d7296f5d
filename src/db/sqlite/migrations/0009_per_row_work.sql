-- Per-row work that SQLite's claims and completions no longer pay for.
--
-- 1. Status tests written as comparisons, not as `status IN ('a', 'b', 'c')`. SQLite codes an IN
--    list of more than two constants as a temporary b-tree that it builds again each time the test
--    runs: in the table's CHECK, in a trigger's WHEN clause and in a partial index's predicate, that
--    is for every row a claim or a completion updates. The CHECK, the three status triggers and
--    jobs_finished_idx built ten such b-trees per updated row.
-- 2. The event log without a foreign key and without AUTOINCREMENT. The key looked the job up for
--    every event, although events are only written with their job; AUTOINCREMENT read and wrote
--    sqlite_sequence for every insert. Ids still only grow within a job (a new row gets the largest
--    id plus one), which is all an SSE cursor needs; a trigger deletes the events of deleted jobs.
--
-- SQLite cannot change a CHECK or a foreign key in place, so both tables are rebuilt and their rows
-- copied (the migrator runs migrations with foreign keys off and checks them before committing).
-- The meaning of every constraint, index and trigger is unchanged. Callgrind, 2,000 jobs claimed
-- and completed in batches of 100: 912M → 390M instructions in sqlite3_step.

CREATE TABLE jobs_rebuilt (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  user_id TEXT,
  lesson_id TEXT,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status = 'pending' OR status = 'running' OR status = 'completed' OR status = 'failed'
      OR status = 'cancelled' OR status = 'timeout'),
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
  points_charged INTEGER NOT NULL DEFAULT 0 CHECK (points_charged >= 0)
) STRICT;

CREATE TABLE job_events_rebuilt (
  id INTEGER PRIMARY KEY,
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

INSERT INTO jobs_rebuilt SELECT * FROM jobs;
INSERT INTO job_events_rebuilt SELECT * FROM job_events;
-- Dropping a table drops its indexes and triggers. The view presentation_jobs and the foreign keys
-- of artifacts and webhook_deliveries name `jobs`; legacy renaming keeps them as written, so they
-- name the rebuilt table once it takes the name.
DROP TABLE jobs;
DROP TABLE job_events;
PRAGMA legacy_alter_table = ON;
ALTER TABLE jobs_rebuilt RENAME TO jobs;
ALTER TABLE job_events_rebuilt RENAME TO job_events;
PRAGMA legacy_alter_table = OFF;

-- Claim order: priority, then oldest; only pending rows are in the index.
CREATE INDEX jobs_claim_idx ON jobs (priority DESC, run_at, id) WHERE status = 'pending';
-- Lease sweep: only running rows.
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';
-- Owner listings, newest first.
CREATE INDEX jobs_user_created_idx ON jobs (user_id, created_at DESC, id DESC);
-- Admin listings and statistics windows.
CREATE INDEX jobs_created_idx ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_status_created_idx ON jobs (status, created_at);
-- Cleanup of finished jobs: a job is finished exactly when its status is neither pending nor
-- running (the CHECK). Queries that want this index repeat the predicate (`IS_FINISHED` in
-- sql/jobs-sql.ts). Written as two inequalities, the planner also prefers it for cleanup to
-- jobs_status_created_idx, which made cleanup walk every finished job, old or not.
CREATE INDEX jobs_finished_idx ON jobs (completed_at) WHERE status <> 'pending' AND status <> 'running';
-- The same idempotency key from the same user names the same job.
CREATE UNIQUE INDEX jobs_idempotency_idx ON jobs (coalesce(user_id, ''), idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE INDEX job_events_job_idx ON job_events (job_id, id);

-- What the foreign key's cascade did: a deleted job takes its events with it.
CREATE TRIGGER jobs_events_delete AFTER DELETE ON jobs
BEGIN
  DELETE FROM job_events WHERE job_id = OLD.id;
END;

-- Charge on insert (migration 0004).
CREATE TRIGGER jobs_points_charge AFTER INSERT ON jobs
WHEN NEW.cost_points > 0 AND NEW.user_id IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'insufficient points')
  WHERE coalesce((SELECT prompt_points FROM users WHERE id = NEW.user_id), -1) < NEW.cost_points;
  UPDATE users SET prompt_points = prompt_points - NEW.cost_points WHERE id = NEW.user_id;
  UPDATE jobs SET points_charged = NEW.cost_points WHERE id = NEW.id;
END;

-- Refund when a job ends without a video.
CREATE TRIGGER jobs_points_refund AFTER UPDATE OF status ON jobs
WHEN OLD.points_charged > 0
  AND (NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'timeout')
  AND OLD.status <> 'failed' AND OLD.status <> 'cancelled' AND OLD.status <> 'timeout'
BEGIN
  UPDATE users SET prompt_points = prompt_points + OLD.points_charged WHERE id = OLD.user_id;
  UPDATE jobs SET points_charged = 0 WHERE id = NEW.id;
END;

-- Charge again when a refunded job is queued again (a manual retry); fails like an insert when short.
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

-- A job with a webhook_url entered a terminal state: queue its delivery (see migration 0005). A job
-- is finished exactly when its status is neither pending nor running (the table's CHECK).
CREATE TRIGGER jobs_webhook_enqueue AFTER UPDATE OF status ON jobs
WHEN (OLD.status = 'pending' OR OLD.status = 'running')
  AND NEW.status <> 'pending' AND NEW.status <> 'running'
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
  INSERT INTO job_events (job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
  SELECT id, created_at, 'created', status, progress, NULL, 'Queued', attempt, NULL, NULL
  FROM jobs WHERE rowid = last_insert_rowid();
END;
