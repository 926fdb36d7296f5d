-- Statistics and health from maintained rollups instead of scans of `jobs` (issue 23).
--
-- Every write that changes what a rollup counts (insert, delete, and an update of kind, status,
-- priority, created_at, retry_count, error_code or processing_time_seconds) appends rows to
-- `job_rollup_deltas` in the same transaction, by statement trigger: -1 for the job as it was, +1 as
-- it is, one row per group of like jobs. No row is updated by every
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

-- An update statement's deltas: its rows as they were (−1) and as they are (+1), summed per group of
-- like jobs, groups that cancel out left out. So a heartbeat or a progress update, which changes
-- nothing counted, appends nothing, and a claim of 200 jobs appends a handful of rows. (A statement
-- trigger, as transition tables allow no column list; a row trigger cost a drain about twice the
-- server CPU.)
CREATE FUNCTION reelqueue_rollup_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO job_rollup_deltas
    (bucket_ms, kind, status, priority, retried, error_code, duration_bucket, seconds, change)
  SELECT bucket_ms, kind, status, priority, retried, error_code, duration_bucket, sum(seconds), sum(change)
  FROM (
    SELECT reelqueue_minute_ms(created_at) AS bucket_ms, kind, status, priority, retry_count > 0 AS retried,
      CASE WHEN status IN ('failed', 'timeout', 'cancelled') THEN error_code END AS error_code,
      CASE WHEN status = 'completed' AND processing_time_seconds IS NOT NULL
        THEN reelqueue_duration_bucket(processing_time_seconds) END AS duration_bucket,
      CASE WHEN status = 'completed' THEN -processing_time_seconds END AS seconds,
      -1 AS change
    FROM updated_before
    UNION ALL
    SELECT reelqueue_minute_ms(created_at), kind, status, priority, retry_count > 0,
      CASE WHEN status IN ('failed', 'timeout', 'cancelled') THEN error_code END,
      CASE WHEN status = 'completed' AND processing_time_seconds IS NOT NULL
        THEN reelqueue_duration_bucket(processing_time_seconds) END,
      CASE WHEN status = 'completed' THEN processing_time_seconds END,
      1
    FROM updated_after
  ) d
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(change) <> 0 OR coalesce(sum(seconds), 0) <> 0;
  RETURN NULL;
END $$;

CREATE TRIGGER jobs_rollup_inserted AFTER INSERT ON jobs
REFERENCING NEW TABLE AS inserted_jobs FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_rollup_inserted();

CREATE TRIGGER jobs_rollup_deleted AFTER DELETE ON jobs
REFERENCING OLD TABLE AS deleted_jobs FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_rollup_deleted();

CREATE TRIGGER jobs_rollup_updated AFTER UPDATE ON jobs
REFERENCING OLD TABLE AS updated_before NEW TABLE AS updated_after
FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_rollup_updated();

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
