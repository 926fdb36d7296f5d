-- Statistics and health from maintained rollups instead of scans of `jobs` (issue 23).
--
-- Every write that changes what a rollup counts (insert, delete, and an update of kind, status,
-- priority, created_at, retry_count, error_code or processing_time_seconds) appends rows to
-- `job_rollup_deltas` in the same transaction, by trigger: -1 for the job as it was, +1 as it is
-- (an insert or delete statement appends one row per group of like jobs). No row is updated by every
-- state change, so workers never queue on a counter. A fold (`rollupsSql.fold`) moves the deltas into
-- the rollup tables, per minute, hour and UTC day and, for the counts, for all time (span_ms = 0); a read
-- adds the deltas not folded yet, so it is exact whenever the fold runs. Buckets are those of
-- `created_at` (epoch milliseconds), as statistics count the jobs created in a window.
--
-- Processing times go into a log-scale histogram: bucket i holds the times in (1.05^(i-1), 1.05^i]
-- seconds (at least 0.001 s), so a percentile read from it is within 2.5 % of the exact value
-- (src/jobs/duration-histogram.ts).
CREATE TABLE job_rollup_deltas (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bucket_ms bigint NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  priority smallint NOT NULL,
  retried boolean NOT NULL,
  -- Only of failed, timeout and cancelled jobs (what statistics' error codes count).
  error_code text,
  -- Only of completed jobs with a processing time.
  duration_bucket integer,
  -- The processing seconds this row adds (negative when it takes jobs away).
  seconds double precision,
  change integer NOT NULL
);

CREATE TABLE job_count_rollups (
  span_ms bigint NOT NULL,
  bucket_ms bigint NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  priority smallint NOT NULL,
  retried boolean NOT NULL,
  jobs bigint NOT NULL,
  PRIMARY KEY (span_ms, bucket_ms, kind, status, priority, retried)
);

CREATE TABLE job_error_rollups (
  span_ms bigint NOT NULL,
  bucket_ms bigint NOT NULL,
  error_code text NOT NULL,
  jobs bigint NOT NULL,
  PRIMARY KEY (span_ms, bucket_ms, error_code)
);

CREATE TABLE job_duration_rollups (
  span_ms bigint NOT NULL,
  bucket_ms bigint NOT NULL,
  duration_bucket integer NOT NULL,
  jobs bigint NOT NULL,
  seconds double precision NOT NULL,
  PRIMARY KEY (span_ms, bucket_ms, duration_bucket)
);

-- The minute bucket of a creation time, and the histogram bucket of a processing time.
CREATE FUNCTION reelqueue_minute_ms(at timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (floor(extract(epoch FROM at) / 60) * 60000)::bigint;

CREATE FUNCTION reelqueue_duration_bucket(seconds double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ceil(ln(greatest(seconds, 0.001)) / ln(1.05))::integer;

CREATE FUNCTION reelqueue_rollup_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO job_rollup_deltas
    (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
  SELECT reelqueue_minute_ms(created_at), kind, status, priority, retry_count > 0,
    CASE WHEN status IN ('failed', 'timeout', 'cancelled') THEN error_code END,
    CASE WHEN status = 'completed' AND processing_time_seconds IS NOT NULL
      THEN reelqueue_duration_bucket(processing_time_seconds) END,
    sum(processing_time_seconds) FILTER (WHERE status = 'completed'),
    count(*)
  FROM inserted_jobs
  GROUP BY 1, 2, 3, 4, 5, 6, 7;
  RETURN NULL;
END $$;

CREATE FUNCTION reelqueue_rollup_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO job_rollup_deltas
    (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
  SELECT reelqueue_minute_ms(created_at), kind, status, priority, retry_count > 0,
    CASE WHEN status IN ('failed', 'timeout', 'cancelled') THEN error_code END,
    CASE WHEN status = 'completed' AND processing_time_seconds IS NOT NULL
      THEN reelqueue_duration_bucket(processing_time_seconds) END,
    -sum(processing_time_seconds) FILTER (WHERE status = 'completed'),
    -count(*)
  FROM deleted_jobs
  GROUP BY 1, 2, 3, 4, 5, 6, 7;
  RETURN NULL;
END $$;

CREATE FUNCTION reelqueue_rollup_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO job_rollup_deltas
    (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
  VALUES (reelqueue_minute_ms(OLD.created_at), OLD.kind, OLD.status, OLD.priority, OLD.retry_count > 0,
    CASE WHEN OLD.status IN ('failed', 'timeout', 'cancelled') THEN OLD.error_code END,
    CASE WHEN OLD.status = 'completed' AND OLD.processing_time_seconds IS NOT NULL
      THEN reelqueue_duration_bucket(OLD.processing_time_seconds) END,
    CASE WHEN OLD.status = 'completed' THEN -OLD.processing_time_seconds END,
    -1),
  (reelqueue_minute_ms(NEW.created_at), NEW.kind, NEW.status, NEW.priority, NEW.retry_count > 0,
    CASE WHEN NEW.status IN ('failed', 'timeout', 'cancelled') THEN NEW.error_code END,
    CASE WHEN NEW.status = 'completed' AND NEW.processing_time_seconds IS NOT NULL
      THEN reelqueue_duration_bucket(NEW.processing_time_seconds) END,
    CASE WHEN NEW.status = 'completed' THEN NEW.processing_time_seconds END,
    1);
  RETURN NULL;
END $$;

CREATE TRIGGER jobs_rollup_inserted AFTER INSERT ON jobs
REFERENCING NEW TABLE AS inserted_jobs FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_rollup_inserted();

CREATE TRIGGER jobs_rollup_deleted AFTER DELETE ON jobs
REFERENCING OLD TABLE AS deleted_jobs FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_rollup_deleted();

CREATE TRIGGER jobs_rollup_updated
AFTER UPDATE OF kind, status, priority, created_at, retry_count, error_code, processing_time_seconds ON jobs
FOR EACH ROW
WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.kind IS DISTINCT FROM NEW.kind
  OR OLD.priority IS DISTINCT FROM NEW.priority OR OLD.created_at IS DISTINCT FROM NEW.created_at
  OR (OLD.retry_count > 0) IS DISTINCT FROM (NEW.retry_count > 0)
  OR OLD.error_code IS DISTINCT FROM NEW.error_code
  OR OLD.processing_time_seconds IS DISTINCT FROM NEW.processing_time_seconds)
EXECUTE FUNCTION reelqueue_rollup_updated();

-- The jobs already there, as a rebuild counts them (`rollupsSql.rebuildDeltas`).
INSERT INTO job_rollup_deltas
  (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
SELECT reelqueue_minute_ms(created_at), kind, status, priority, retry_count > 0,
  CASE WHEN status IN ('failed', 'timeout', 'cancelled') THEN error_code END,
  CASE WHEN status = 'completed' AND processing_time_seconds IS NOT NULL
    THEN reelqueue_duration_bucket(processing_time_seconds) END,
  sum(processing_time_seconds) FILTER (WHERE status = 'completed'),
  count(*)
FROM jobs
GROUP BY 1, 2, 3, 4, 5, 6, 7;
