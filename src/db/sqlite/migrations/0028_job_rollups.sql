-- Statistics and health from maintained rollups instead of scans of `jobs` (issue 23).
--
-- Every write that changes what a rollup counts (insert, delete, and an update of kind, status,
-- priority, created_at, retry_count, error_code or processing_time_seconds) appends a row to
-- `job_rollup_deltas` in the same statement, by trigger: -1 for the job as it was, +1 as it is. No
-- row is updated by every state change, so writers never queue on a counter. A fold
-- (`rollupsSql.fold*`) moves the deltas into the three rollup tables, per minute, hour and day (UTC)
-- and, for the counts, for all time (span_ms = 0); a read adds the deltas not folded yet, so it is exact
-- whenever the fold runs. Buckets are those of `created_at`, as statistics count the jobs created in
-- a window.
--
-- Processing times go into a log-scale histogram: bucket i holds the times in (1.05^(i-1), 1.05^i]
-- seconds (at least 0.001 s), so a percentile read from it is within 2.5 % of the exact value
-- (src/jobs/duration-histogram.ts).
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

CREATE TABLE job_error_rollups (
  span_ms INTEGER NOT NULL,
  bucket_ms INTEGER NOT NULL,
  error_code TEXT NOT NULL,
  jobs INTEGER NOT NULL,
  PRIMARY KEY (span_ms, bucket_ms, error_code)
) WITHOUT ROWID;

CREATE TABLE job_duration_rollups (
  span_ms INTEGER NOT NULL,
  bucket_ms INTEGER NOT NULL,
  duration_bucket INTEGER NOT NULL,
  jobs INTEGER NOT NULL,
  seconds REAL NOT NULL,
  PRIMARY KEY (span_ms, bucket_ms, duration_bucket)
) WITHOUT ROWID;

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

-- The jobs already there, as a rebuild counts them (`rollupsSql.rebuildDeltas`).
INSERT INTO job_rollup_deltas
  (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
SELECT created_at - created_at % 60000, kind, status, priority, retry_count > 0,
  CASE WHEN (status = 'failed' OR status = 'timeout' OR status = 'cancelled') THEN error_code END,
  CASE WHEN status = 'completed' AND processing_time_seconds IS NOT NULL
    THEN CAST(ceil(ln(max(processing_time_seconds, 0.001)) / ln(1.05)) AS INTEGER) END,
  sum(CASE WHEN status = 'completed' THEN processing_time_seconds END),
  count(*)
FROM jobs
GROUP BY 1, 2, 3, 4, 5, 6, 7;
