-- table api_keys
id text NOT NULL
user_id text NOT NULL
prefix text NOT NULL
key_hash text NOT NULL
label text
created_at timestamp with time zone NOT NULL DEFAULT now()
last_used_at timestamp with time zone
revoked_at timestamp with time zone

-- table artifact_chunks
artifact_id uuid NOT NULL
seq integer NOT NULL
data bytea NOT NULL

-- table artifacts
id uuid NOT NULL
job_id uuid NOT NULL
kind text NOT NULL
content_type text NOT NULL
size bigint
sha256 text
chunk_size integer NOT NULL
attempt integer NOT NULL
complete boolean NOT NULL DEFAULT false
created_at timestamp with time zone NOT NULL DEFAULT now()
completed_at timestamp with time zone

-- table deployment
singleton boolean NOT NULL DEFAULT true
id text NOT NULL
created_at timestamp with time zone NOT NULL DEFAULT now()

-- table job_count_rollups
span_ms bigint NOT NULL
bucket_ms bigint NOT NULL
kind text NOT NULL
status text NOT NULL
priority smallint NOT NULL
retried boolean NOT NULL
jobs bigint NOT NULL

-- table job_dependencies
child_id uuid NOT NULL
parent_id uuid NOT NULL

-- table job_duration_rollups
span_ms bigint NOT NULL
bucket_ms bigint NOT NULL
duration_bucket integer NOT NULL
jobs bigint NOT NULL
seconds double precision NOT NULL

-- table job_error_rollups
span_ms bigint NOT NULL
bucket_ms bigint NOT NULL
error_code text NOT NULL
jobs bigint NOT NULL

-- table job_events
id bigint NOT NULL DEFAULT nextval('job_events_id_seq'::regclass)
job_id uuid NOT NULL
at timestamp with time zone NOT NULL DEFAULT now()
type text NOT NULL
status text NOT NULL
progress smallint NOT NULL
stage text
message text
attempt integer NOT NULL
worker_id text
data jsonb

-- table job_rollup_deltas
id bigint NOT NULL
bucket_ms bigint NOT NULL
kind text NOT NULL
status text NOT NULL
priority smallint NOT NULL
retried boolean NOT NULL
error_code text
duration_bucket integer
seconds double precision
change integer NOT NULL

-- table jobs
id uuid NOT NULL
kind text NOT NULL
user_id text
lesson_id text
status text NOT NULL DEFAULT 'pending'::text
priority smallint NOT NULL DEFAULT 1
payload jsonb NOT NULL DEFAULT '{}'::jsonb
progress smallint NOT NULL DEFAULT 0
stage text
message text NOT NULL DEFAULT ''::text
created_at timestamp with time zone NOT NULL DEFAULT now()
updated_at timestamp with time zone NOT NULL DEFAULT now()
run_at timestamp with time zone NOT NULL DEFAULT now()
started_at timestamp with time zone
completed_at timestamp with time zone
timeout_seconds integer NOT NULL
attempt integer NOT NULL DEFAULT 0
retry_count integer NOT NULL DEFAULT 0
max_retries integer NOT NULL
worker_id text
lease_expires_at timestamp with time zone
last_heartbeat timestamp with time zone
cancel_requested_at timestamp with time zone
cancel_reason text
result jsonb
error_code text
error_message text
error_details jsonb
idempotency_key text
processing_time_seconds double precision
cost_points integer NOT NULL DEFAULT 0
points_charged integer NOT NULL DEFAULT 0
started_event_id bigint
completed_event_id bigint
lost_attempts integer NOT NULL DEFAULT 0
on_parent_failure text NOT NULL DEFAULT 'fail'::text
waiting_parents integer NOT NULL DEFAULT 0
has_children boolean NOT NULL DEFAULT false
deadline_at timestamp with time zone

-- table lessons
id text NOT NULL
user_id text NOT NULL
title text NOT NULL
body jsonb NOT NULL
created_at timestamp with time zone NOT NULL DEFAULT date_trunc('milliseconds'::text, now())

-- table maintenance_runs
name text NOT NULL
last_run_at timestamp with time zone NOT NULL
node text NOT NULL

-- table presentation_jobs
id uuid
lesson_id text
user_id text
status text
priority text
progress smallint
message text
created_at timestamp with time zone
started_at timestamp with time zone
completed_at timestamp with time zone
timeout_seconds integer
presentation_id text
slide_count integer
result_data jsonb
retry_count integer
max_retries integer
error_code text
error_message text
error_details jsonb
style text
use_llm_polish boolean
worker_id text
queue_position bigint
processing_time_seconds double precision
video_url text
thumbnail_url text
slide_image_path text
last_heartbeat timestamp with time zone
created_files jsonb
job_id uuid
error text
progress_fraction double precision

-- table schedules
name text NOT NULL
cron text NOT NULL
time_zone text NOT NULL
kind text NOT NULL
payload jsonb NOT NULL
priority smallint NOT NULL
enabled boolean NOT NULL
catch_up text NOT NULL
catch_up_limit integer NOT NULL
next_run_at timestamp with time zone
last_run_at timestamp with time zone
created_at timestamp with time zone NOT NULL DEFAULT now()
updated_at timestamp with time zone NOT NULL DEFAULT now()

-- table schema_migrations
version integer NOT NULL
name text NOT NULL
checksum text NOT NULL
applied_at timestamp with time zone NOT NULL DEFAULT now()

-- table users
id text NOT NULL
wallet_address text
role text NOT NULL DEFAULT 'user'::text
prompt_points integer NOT NULL DEFAULT 0
webhook_secret text NOT NULL
created_at timestamp with time zone NOT NULL DEFAULT now()
previous_webhook_secret text
previous_webhook_secret_expires_at timestamp with time zone

-- table webhook_deliveries
id text NOT NULL
webhook_job_id uuid NOT NULL
job_id uuid NOT NULL
attempt integer NOT NULL
url text NOT NULL
event text NOT NULL
status_code integer
error text
duration_ms integer NOT NULL
at timestamp with time zone NOT NULL DEFAULT now()

-- table worker_processes
worker_id text NOT NULL
hostname text NOT NULL
boot_id text NOT NULL
pid_namespace text NOT NULL
pid integer NOT NULL
start_time text NOT NULL
registered_at timestamp with time zone NOT NULL DEFAULT now()

-- constraints
api_keys.api_keys_pkey: PRIMARY KEY (id)
api_keys.api_keys_prefix_key: UNIQUE (prefix)
api_keys.api_keys_user_id_fkey: FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
artifact_chunks.artifact_chunks_artifact_id_fkey: FOREIGN KEY (artifact_id) REFERENCES artifacts(id) ON DELETE CASCADE
artifact_chunks.artifact_chunks_pkey: PRIMARY KEY (artifact_id, seq)
artifact_chunks.artifact_chunks_seq_check: CHECK ((seq >= 0))
artifacts.artifacts_chunk_size_check: CHECK ((chunk_size > 0))
artifacts.artifacts_complete_check: CHECK (((NOT complete) OR ((size IS NOT NULL) AND (sha256 IS NOT NULL) AND (completed_at IS NOT NULL))))
artifacts.artifacts_job_id_fkey: FOREIGN KEY (job_id) REFERENCES jobs(id) ON DELETE CASCADE
artifacts.artifacts_pkey: PRIMARY KEY (id)
artifacts.artifacts_size_check: CHECK ((size >= 0))
deployment.deployment_id_check: CHECK ((length(id) = 32))
deployment.deployment_pkey: PRIMARY KEY (singleton)
deployment.deployment_singleton_check: CHECK (singleton)
job_count_rollups.job_count_rollups_pkey: PRIMARY KEY (span_ms, bucket_ms, kind, status, priority, retried)
job_dependencies.job_dependencies_child_id_fkey: FOREIGN KEY (child_id) REFERENCES jobs(id) ON DELETE CASCADE
job_dependencies.job_dependencies_parent_id_fkey: FOREIGN KEY (parent_id) REFERENCES jobs(id) ON DELETE CASCADE
job_dependencies.job_dependencies_pkey: PRIMARY KEY (child_id, parent_id)
job_duration_rollups.job_duration_rollups_pkey: PRIMARY KEY (span_ms, bucket_ms, duration_bucket)
job_error_rollups.job_error_rollups_pkey: PRIMARY KEY (span_ms, bucket_ms, error_code)
job_events.job_events_pkey: PRIMARY KEY (job_id, id)
job_rollup_deltas.job_rollup_deltas_pkey: PRIMARY KEY (id)
jobs.jobs_cost_points_check: CHECK ((cost_points >= 0))
jobs.jobs_lost_attempts_check: CHECK ((lost_attempts >= 0))
jobs.jobs_max_retries_check: CHECK ((max_retries >= 0))
jobs.jobs_on_parent_failure_check: CHECK ((on_parent_failure = ANY (ARRAY['fail'::text, 'cancel'::text, 'run'::text])))
jobs.jobs_pkey: PRIMARY KEY (id)
jobs.jobs_points_charged_check: CHECK ((points_charged >= 0))
jobs.jobs_priority_check: CHECK (((priority >= 0) AND (priority <= 3)))
jobs.jobs_progress_check: CHECK (((progress >= 0) AND (progress <= 100)))
jobs.jobs_send_wake_ups: TRIGGER DEFERRABLE INITIALLY DEFERRED
jobs.jobs_status_check: CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'completed'::text, 'failed'::text, 'cancelled'::text, 'timeout'::text, 'waiting'::text])))
jobs.jobs_timeout_seconds_check: CHECK ((timeout_seconds > 0))
lessons.lessons_pkey: PRIMARY KEY (id)
lessons.lessons_user_id_fkey: FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
maintenance_runs.maintenance_runs_pkey: PRIMARY KEY (name)
schedules.schedules_catch_up_check: CHECK ((catch_up = ANY (ARRAY['skip'::text, 'last'::text, 'all'::text])))
schedules.schedules_catch_up_limit_check: CHECK (((catch_up_limit >= 1) AND (catch_up_limit <= 1000)))
schedules.schedules_check: CHECK ((enabled = (next_run_at IS NOT NULL)))
schedules.schedules_pkey: PRIMARY KEY (name)
schedules.schedules_priority_check: CHECK (((priority >= 0) AND (priority <= 3)))
schema_migrations.schema_migrations_pkey: PRIMARY KEY (version)
users.users_pkey: PRIMARY KEY (id)
users.users_previous_webhook_secret_check: CHECK (((previous_webhook_secret IS NULL) = (previous_webhook_secret_expires_at IS NULL)))
users.users_prompt_points_check: CHECK ((prompt_points >= 0))
users.users_role_check: CHECK ((role = ANY (ARRAY['user'::text, 'admin'::text, 'service'::text])))
users.users_wallet_address_key: UNIQUE (wallet_address)
webhook_deliveries.webhook_deliveries_attempt_check: CHECK ((attempt >= 1))
webhook_deliveries.webhook_deliveries_duration_ms_check: CHECK ((duration_ms >= 0))
webhook_deliveries.webhook_deliveries_job_id_fkey: FOREIGN KEY (job_id) REFERENCES jobs(id) ON DELETE CASCADE
webhook_deliveries.webhook_deliveries_pkey: PRIMARY KEY (id)
worker_processes.worker_processes_pkey: PRIMARY KEY (worker_id)

-- indexes
CREATE UNIQUE INDEX api_keys_pkey ON api_keys USING btree (id)
CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys USING btree (prefix)
CREATE INDEX api_keys_user_idx ON api_keys USING btree (user_id, created_at)
CREATE UNIQUE INDEX artifact_chunks_pkey ON artifact_chunks USING btree (artifact_id, seq)
CREATE INDEX artifacts_job_kind_idx ON artifacts USING btree (job_id, kind)
CREATE UNIQUE INDEX artifacts_pkey ON artifacts USING btree (id)
CREATE UNIQUE INDEX deployment_pkey ON deployment USING btree (singleton)
CREATE UNIQUE INDEX job_count_rollups_pkey ON job_count_rollups USING btree (span_ms, bucket_ms, kind, status, priority, retried)
CREATE INDEX job_dependencies_parent_idx ON job_dependencies USING btree (parent_id, child_id)
CREATE UNIQUE INDEX job_dependencies_pkey ON job_dependencies USING btree (child_id, parent_id)
CREATE UNIQUE INDEX job_duration_rollups_pkey ON job_duration_rollups USING btree (span_ms, bucket_ms, duration_bucket)
CREATE UNIQUE INDEX job_error_rollups_pkey ON job_error_rollups USING btree (span_ms, bucket_ms, error_code)
CREATE UNIQUE INDEX job_events_pkey ON job_events USING btree (job_id, id)
CREATE UNIQUE INDEX job_rollup_deltas_pkey ON job_rollup_deltas USING btree (id)
CREATE INDEX jobs_claim_idx ON jobs USING btree (priority DESC, run_at, id) WHERE (status = 'pending'::text)
CREATE INDEX jobs_created_idx ON jobs USING btree (created_at DESC, id DESC)
CREATE INDEX jobs_finished_idx ON jobs USING btree (completed_at, status) WHERE ((status <> 'pending'::text) AND (status <> 'running'::text) AND (status <> 'waiting'::text))
CREATE INDEX jobs_finished_status_created_idx ON jobs USING btree (status, created_at DESC, id DESC) WHERE ((status <> 'pending'::text) AND (status <> 'running'::text) AND (status <> 'waiting'::text))
CREATE UNIQUE INDEX jobs_idempotency_idx ON jobs USING btree (COALESCE(user_id, ''::text), idempotency_key) WHERE (idempotency_key IS NOT NULL)
CREATE INDEX jobs_kind_created_idx ON jobs USING btree (kind, created_at DESC, id DESC)
CREATE INDEX jobs_lease_idx ON jobs USING btree (lease_expires_at) WHERE (status = 'running'::text)
CREATE INDEX jobs_pending_created_idx ON jobs USING btree (created_at, id) WHERE (status = 'pending'::text)
CREATE UNIQUE INDEX jobs_pkey ON jobs USING btree (id)
CREATE INDEX jobs_unsuccessful_created_idx ON jobs USING btree (created_at DESC, id DESC) WHERE ((status <> 'pending'::text) AND (status <> 'running'::text) AND (status <> 'waiting'::text) AND (status <> 'completed'::text))
CREATE INDEX jobs_user_created_idx ON jobs USING btree (user_id, created_at DESC, id DESC) WHERE (user_id IS NOT NULL)
CREATE INDEX jobs_waiting_deadline_idx ON jobs USING btree (deadline_at) WHERE (status = 'waiting'::text)
CREATE INDEX jobs_waiting_idx ON jobs USING btree (waiting_parents) WHERE (status = 'waiting'::text)
CREATE UNIQUE INDEX lessons_pkey ON lessons USING btree (id)
CREATE INDEX lessons_user_created_idx ON lessons USING btree (user_id, created_at DESC, id DESC)
CREATE UNIQUE INDEX maintenance_runs_pkey ON maintenance_runs USING btree (name)
CREATE INDEX schedules_due_idx ON schedules USING btree (next_run_at) WHERE enabled
CREATE UNIQUE INDEX schedules_pkey ON schedules USING btree (name)
CREATE UNIQUE INDEX schema_migrations_pkey ON schema_migrations USING btree (version)
CREATE UNIQUE INDEX users_pkey ON users USING btree (id)
CREATE UNIQUE INDEX users_wallet_address_key ON users USING btree (wallet_address)
CREATE INDEX webhook_deliveries_job_idx ON webhook_deliveries USING btree (job_id, at, id)
CREATE UNIQUE INDEX webhook_deliveries_pkey ON webhook_deliveries USING btree (id)
CREATE INDEX worker_processes_hostname_idx ON worker_processes USING btree (hostname)
CREATE UNIQUE INDEX worker_processes_pkey ON worker_processes USING btree (worker_id)

-- triggers
CREATE TRIGGER api_keys_changed AFTER DELETE OR UPDATE OF revoked_at, key_hash, prefix, user_id OR TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_keys_changed()
CREATE TRIGGER jobs_delete_events AFTER DELETE ON jobs REFERENCING OLD TABLE AS deleted_jobs FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_delete_job_events()
CREATE TRIGGER jobs_points_charge AFTER INSERT ON jobs FOR EACH ROW WHEN ((new.points_charged > 0)) EXECUTE FUNCTION reelqueue_points_charge()
CREATE TRIGGER jobs_points_price BEFORE INSERT ON jobs FOR EACH ROW WHEN (((new.cost_points > 0) OR (new.points_charged <> 0))) EXECUTE FUNCTION reelqueue_points_price()
CREATE TRIGGER jobs_points_recharge AFTER UPDATE OF status ON jobs FOR EACH ROW WHEN (((old.status = ANY (ARRAY['failed'::text, 'cancelled'::text, 'timeout'::text])) AND (new.status <> ALL (ARRAY['failed'::text, 'cancelled'::text, 'timeout'::text])) AND (new.user_id IS NOT NULL) AND (new.cost_points > 0) AND (new.points_charged = 0))) EXECUTE FUNCTION reelqueue_points_recharge()
CREATE TRIGGER jobs_points_refund AFTER UPDATE OF status ON jobs FOR EACH ROW WHEN (((new.status = ANY (ARRAY['failed'::text, 'cancelled'::text, 'timeout'::text])) AND (old.status <> ALL (ARRAY['failed'::text, 'cancelled'::text, 'timeout'::text])) AND (old.points_charged > 0))) EXECUTE FUNCTION reelqueue_points_refund()
CREATE TRIGGER jobs_rollup_deleted AFTER DELETE ON jobs REFERENCING OLD TABLE AS deleted_jobs FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_rollup_deleted()
CREATE TRIGGER jobs_rollup_inserted AFTER INSERT ON jobs REFERENCING NEW TABLE AS inserted_jobs FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_rollup_inserted()
CREATE TRIGGER jobs_rollup_updated AFTER UPDATE ON jobs REFERENCING OLD TABLE AS updated_before NEW TABLE AS updated_after FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_rollup_updated()
CREATE CONSTRAINT TRIGGER jobs_send_wake_ups AFTER UPDATE OF status ON jobs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((old.status IS DISTINCT FROM new.status) AND (new.has_children OR (jsonb_typeof((new.payload -> 'webhook_url'::text)) = 'string'::text)))) EXECUTE FUNCTION reelqueue_send_wake_ups()
CREATE TRIGGER jobs_settle_children AFTER UPDATE OF status ON jobs FOR EACH ROW WHEN ((new.has_children AND (old.status IS DISTINCT FROM new.status))) EXECUTE FUNCTION reelqueue_settle_children()
CREATE TRIGGER jobs_store_derived_events AFTER UPDATE OF started_event_id, completed_event_id ON jobs FOR EACH ROW WHEN ((((old.started_event_id IS NOT NULL) AND (new.started_event_id IS DISTINCT FROM old.started_event_id)) OR ((old.completed_event_id IS NOT NULL) AND (new.completed_event_id IS DISTINCT FROM old.completed_event_id)))) EXECUTE FUNCTION reelqueue_store_derived_events()
CREATE TRIGGER jobs_webhook_enqueue AFTER UPDATE OF status ON jobs FOR EACH ROW WHEN (((new.status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text, 'timeout'::text])) AND (old.status <> ALL (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text, 'timeout'::text])) AND (jsonb_typeof((new.payload -> 'webhook_url'::text)) = 'string'::text))) EXECUTE FUNCTION reelqueue_webhook_enqueue()
CREATE TRIGGER users_changed AFTER DELETE OR UPDATE OF id, role, wallet_address OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_keys_changed()

-- view presentation_jobs
SELECT j.id,
    j.lesson_id,
    j.user_id,
    j.status,
        CASE j.priority
            WHEN 0 THEN 'low'::text
            WHEN 1 THEN 'normal'::text
            WHEN 2 THEN 'high'::text
            ELSE 'urgent'::text
        END AS priority,
    j.progress,
    j.message,
    j.created_at,
    j.started_at,
    j.completed_at,
    j.timeout_seconds,
    (j.result ->> 'presentation_id'::text) AS presentation_id,
    ((j.result ->> 'slide_count'::text))::integer AS slide_count,
    j.result AS result_data,
    j.retry_count,
    j.max_retries,
    j.error_code,
    j.error_message,
    j.error_details,
    COALESCE((j.payload ->> 'style'::text), 'default'::text) AS style,
    COALESCE(((j.payload ->> 'use_llm_polish'::text))::boolean, false) AS use_llm_polish,
    j.worker_id,
        CASE
            WHEN (j.status = 'pending'::text) THEN ( SELECT count(*) AS count
               FROM jobs ahead
              WHERE ((ahead.status = 'pending'::text) AND ((ahead.priority > j.priority) OR ((ahead.priority = j.priority) AND (ROW(ahead.run_at, ahead.id) < ROW(j.run_at, j.id))))))
            ELSE NULL::bigint
        END AS queue_position,
    j.processing_time_seconds,
        CASE
            WHEN (j.status = 'completed'::text) THEN ('/api/videos/'::text || j.id)
            ELSE NULL::text
        END AS video_url,
        CASE
            WHEN (j.status = 'completed'::text) THEN (('/api/videos/'::text || j.id) || '/thumbnail'::text)
            ELSE NULL::text
        END AS thumbnail_url,
    COALESCE((j.result ->> 'slide_image_path'::text),
        CASE
            WHEN ((j.status = 'completed'::text) AND (EXISTS ( SELECT 1
               FROM artifacts a
              WHERE ((a.job_id = j.id) AND (a.kind = 'thumbnail'::text) AND a.complete)))) THEN (('/api/videos/'::text || j.id) || '/thumbnail'::text)
            ELSE NULL::text
        END) AS slide_image_path,
    j.last_heartbeat,
    COALESCE((j.result -> 'created_files'::text),
        CASE
            WHEN (j.status = 'completed'::text) THEN ( SELECT jsonb_agg(
                    CASE a.kind
                        WHEN 'video'::text THEN ('/api/videos/'::text || j.id)
                        ELSE (('/api/videos/'::text || j.id) || '/thumbnail'::text)
                    END ORDER BY a.kind DESC) AS jsonb_agg
               FROM artifacts a
              WHERE ((a.job_id = j.id) AND (a.kind = ANY (ARRAY['video'::text, 'thumbnail'::text])) AND a.complete))
            ELSE NULL::jsonb
        END, '[]'::jsonb) AS created_files,
    j.id AS job_id,
    j.error_message AS error,
    (((j.progress)::numeric / 100.0))::double precision AS progress_fraction
   FROM jobs j
  WHERE (j.kind = 'presentation'::text);

-- function reelqueue_claim_candidates
CREATE OR REPLACE FUNCTION reelqueue_claim_candidates(kinds text[], max_jobs integer)
 RETURNS SETOF uuid
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
 SET enable_bitmapscan TO 'off'
 SET enable_seqscan TO 'off'
 SET enable_sort TO 'off'
AS $function$
BEGIN
  RETURN QUERY
    SELECT id FROM jobs
    WHERE status = 'pending' AND run_at <= now() AND kind = ANY(kinds)
    ORDER BY priority DESC, run_at, id
    LIMIT max_jobs
    FOR UPDATE SKIP LOCKED;
END
$function$

-- function reelqueue_count_wake_up
CREATE OR REPLACE FUNCTION reelqueue_count_wake_up(kind text, jobs bigint)
 RETURNS bigint
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
DECLARE
  counts jsonb := coalesce(nullif(current_setting('reelqueue.wake_ups', true), ''), '{}')::jsonb;
BEGIN
  PERFORM set_config('reelqueue.wake_ups',
    jsonb_set(counts, ARRAY[kind], to_jsonb(coalesce((counts ->> kind)::bigint, 0) + jobs))::text, true);
  RETURN jobs;
END $function$

-- function reelqueue_delete_job_events
CREATE OR REPLACE FUNCTION reelqueue_delete_job_events()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
BEGIN
  DELETE FROM job_events WHERE job_id IN (SELECT id FROM deleted_jobs);
  RETURN NULL;
END
$function$

-- function reelqueue_duration_bucket
CREATE OR REPLACE FUNCTION reelqueue_duration_bucket(seconds double precision)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
RETURN (ceil((ln(GREATEST(seconds, (0.001)::double precision)) / (ln(1.05))::double precision)))::integer

-- function reelqueue_jobs_ahead
CREATE OR REPLACE FUNCTION reelqueue_jobs_ahead(job_ids uuid[])
 RETURNS TABLE(job_id uuid, jobs_ahead bigint)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO '<schema>'
 SET enable_bitmapscan TO 'off'
 SET enable_seqscan TO 'off'
 SET enable_sort TO 'off'
AS $function$
BEGIN
  -- Each count reads its jobs in the claim order: with sorts off, only jobs_claim_idx gives it.
  RETURN QUERY
    SELECT me.id, CASE WHEN me.status = 'pending' THEN
      (SELECT count(*) FROM (SELECT FROM jobs AS a
        WHERE a.status = 'pending' AND a.priority > me.priority
        ORDER BY a.priority DESC, a.run_at, a.id) AS higher)
      + (SELECT count(*) FROM (SELECT FROM jobs AS a
          WHERE a.status = 'pending' AND a.priority = me.priority AND a.run_at < me.run_at
          ORDER BY a.priority DESC, a.run_at, a.id) AS earlier)
      + (SELECT count(*) FROM (SELECT FROM jobs AS a
          WHERE a.status = 'pending' AND a.priority = me.priority AND a.run_at = me.run_at
            AND a.id < me.id
          ORDER BY a.priority DESC, a.run_at, a.id) AS same_time)
    END
    FROM jobs AS me
    -- Not `AND me.status = 'pending'`: with sequential scans off, that made it walk every pending job.
    WHERE me.id = ANY(job_ids);
END
$function$

-- function reelqueue_keys_changed
CREATE OR REPLACE FUNCTION reelqueue_keys_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM pg_notify('reelqueue_' || TG_TABLE_SCHEMA, 'k');
  RETURN NULL;
END
$function$

-- function reelqueue_minute_ms
CREATE OR REPLACE FUNCTION reelqueue_minute_ms(at timestamp with time zone)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
RETURN ((floor((EXTRACT(epoch FROM at) / (60)::numeric)) * (60000)::numeric))::bigint

-- function reelqueue_points_charge
CREATE OR REPLACE FUNCTION reelqueue_points_charge()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
BEGIN
  UPDATE users SET prompt_points = prompt_points - NEW.points_charged
  WHERE id = NEW.user_id AND prompt_points >= NEW.points_charged;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user % has fewer than % points', NEW.user_id, NEW.points_charged
      USING ERRCODE = 'RQ402';
  END IF;
  RETURN NULL;
END
$function$

-- function reelqueue_points_price
CREATE OR REPLACE FUNCTION reelqueue_points_price()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  NEW.points_charged := CASE WHEN NEW.user_id IS NULL THEN 0 ELSE NEW.cost_points END;
  RETURN NEW;
END
$function$

-- function reelqueue_points_recharge
CREATE OR REPLACE FUNCTION reelqueue_points_recharge()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
BEGIN
  UPDATE users SET prompt_points = prompt_points - NEW.cost_points
  WHERE id = NEW.user_id AND prompt_points >= NEW.cost_points;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user % has fewer than % points', NEW.user_id, NEW.cost_points
      USING ERRCODE = 'RQ402';
  END IF;
  UPDATE jobs SET points_charged = NEW.cost_points WHERE id = NEW.id;
  RETURN NULL;
END
$function$

-- function reelqueue_points_refund
CREATE OR REPLACE FUNCTION reelqueue_points_refund()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
BEGIN
  UPDATE users SET prompt_points = prompt_points + OLD.points_charged WHERE id = OLD.user_id;
  UPDATE jobs SET points_charged = 0 WHERE id = NEW.id;
  RETURN NULL;
END
$function$

-- function reelqueue_queue_positions
CREATE OR REPLACE FUNCTION reelqueue_queue_positions(job_ids uuid[])
 RETURNS TABLE(job_id uuid, jobs_ahead bigint)
 LANGUAGE sql
 STABLE
 SET search_path TO '<schema>'
 SET enable_bitmapscan TO 'off'
 SET enable_seqscan TO 'off'
 SET enable_sort TO 'off'
AS $function$
  SELECT ranked.id, ranked.ahead FROM (
    SELECT id, row_number() OVER (ORDER BY priority DESC, run_at, id) - 1 AS ahead
    FROM jobs WHERE status = 'pending'
  ) AS ranked
  WHERE ranked.id = ANY(job_ids)
$function$

-- function reelqueue_rollup_deleted
CREATE OR REPLACE FUNCTION reelqueue_rollup_deleted()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
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
END $function$

-- function reelqueue_rollup_inserted
CREATE OR REPLACE FUNCTION reelqueue_rollup_inserted()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
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
END $function$

-- function reelqueue_rollup_updated
CREATE OR REPLACE FUNCTION reelqueue_rollup_updated()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
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
END $function$

-- function reelqueue_send_wake_ups
CREATE OR REPLACE FUNCTION reelqueue_send_wake_ups()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
DECLARE
  counts text := current_setting('reelqueue.wake_ups', true);
BEGIN
  IF counts IS NULL OR counts IN ('', '{}') THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('reelqueue.wake_ups', '{}', true);
  PERFORM pg_notify('reelqueue_' || current_schema(), 'a:' || c.value || ':' || c.key)
  FROM jsonb_each_text(counts::jsonb) AS c WHERE c.value::bigint > 0;
  RETURN NULL;
END $function$

-- function reelqueue_settle_children
CREATE OR REPLACE FUNCTION reelqueue_settle_children()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
DECLARE
  readied bigint;
  code text;
BEGIN
  -- The children first, in id order: an enqueue or a retry changing one of them waits for this
  -- transaction (or this one for it), and the statements below see what it committed.
  PERFORM 1 FROM jobs WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id)
  ORDER BY id FOR UPDATE;
  IF NEW.status = 'completed' THEN
    WITH c AS (
      UPDATE jobs SET waiting_parents = waiting_parents - 1,
        status = CASE WHEN waiting_parents = 1 THEN 'pending' ELSE status END,
        message = CASE WHEN waiting_parents = 1 THEN 'Queued: the jobs it depends on completed'
          ELSE message END,
        updated_at = now()
      WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id) AND status = 'waiting'
      RETURNING id, kind, status, progress, stage, attempt),
    e AS (
      INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
      SELECT c.id, 'ready', 'pending', c.progress, c.stage, 'Queued: the jobs it depends on completed',
        c.attempt, NULL, jsonb_build_object('parent_id', NEW.id)
      FROM c WHERE c.status = 'pending')
    SELECT sum(k.counted) INTO readied FROM (
      SELECT reelqueue_count_wake_up(c.kind, count(*)) AS counted FROM c WHERE c.status = 'pending'
      GROUP BY c.kind) AS k;
  ELSIF NEW.status IN ('failed', 'cancelled', 'timeout')
    AND OLD.status NOT IN ('failed', 'cancelled', 'timeout') THEN
    code := CASE WHEN NEW.error_code IN ('PARENT_FAILED', 'PARENT_CANCELLED') THEN NEW.error_code
      WHEN NEW.status = 'cancelled' THEN 'PARENT_CANCELLED' ELSE 'PARENT_FAILED' END;
    WITH c AS (
      UPDATE jobs SET waiting_parents = greatest(waiting_parents - 1, 0),
        status = CASE WHEN waiting_parents <= 1 THEN 'pending' ELSE status END,
        message = CASE WHEN waiting_parents <= 1 THEN 'Queued: the jobs it depends on are settled'
          ELSE message END,
        updated_at = now()
      WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id)
        AND status = 'waiting' AND on_parent_failure = 'run'
      RETURNING id, kind, status, progress, stage, attempt),
    e AS (
      INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
      SELECT c.id, 'ready', 'pending', c.progress, c.stage, 'Queued: the jobs it depends on are settled',
        c.attempt, NULL, jsonb_build_object('parent_id', NEW.id)
      FROM c WHERE c.status = 'pending')
    SELECT sum(k.counted) INTO readied FROM (
      SELECT reelqueue_count_wake_up(c.kind, count(*)) AS counted FROM c WHERE c.status = 'pending'
      GROUP BY c.kind) AS k;
    WITH c AS (
      UPDATE jobs SET status = CASE on_parent_failure WHEN 'cancel' THEN 'cancelled' ELSE 'failed' END,
        completed_at = now(), updated_at = now(), error_code = code,
        error_message = 'A job it depends on did not complete',
        message = 'A job it depends on did not complete'
      WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id)
        AND status = 'waiting' AND on_parent_failure <> 'run'
      RETURNING id, status, progress, stage, attempt)
    INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
    SELECT c.id, c.status, c.status, c.progress, c.stage, 'A job it depends on did not complete',
      c.attempt, NULL, jsonb_build_object('error_code', code)
    FROM c;
  ELSIF NEW.status IN ('pending', 'waiting') AND OLD.status IN ('failed', 'cancelled', 'timeout') THEN
    WITH revived AS (
      SELECT id, status AS was FROM jobs
      WHERE id IN (SELECT child_id FROM job_dependencies WHERE parent_id = NEW.id)
        AND (status = 'waiting' OR (status IN ('failed', 'cancelled')
          AND error_code IN ('PARENT_FAILED', 'PARENT_CANCELLED')))),
    c AS (
      UPDATE jobs SET status = 'waiting', completed_at = NULL, updated_at = now(),
        error_code = NULL, error_message = NULL, error_details = NULL, cancel_requested_at = NULL,
        cancel_reason = NULL, progress = 0, stage = NULL,
        message = 'Waiting again: a job it depends on was retried',
        waiting_parents = (
          SELECT count(*) FROM job_dependencies AS d JOIN jobs AS p ON p.id = d.parent_id
          WHERE d.child_id = jobs.id AND p.status <> 'completed'
            AND NOT (jobs.on_parent_failure = 'run' AND p.status IN ('failed', 'cancelled', 'timeout')))
      FROM revived WHERE jobs.id = revived.id
      RETURNING jobs.id, revived.was, jobs.attempt)
    INSERT INTO job_events (job_id, type, status, progress, stage, message, attempt, worker_id, data)
    SELECT c.id, 'retried', 'waiting', 0, NULL, 'Waiting again: a job it depends on was retried',
      c.attempt, NULL, jsonb_build_object('parent_id', NEW.id)
    FROM c WHERE c.was <> 'waiting';
  END IF;
  RETURN NULL;
END $function$

-- function reelqueue_store_derived_events
CREATE OR REPLACE FUNCTION reelqueue_store_derived_events()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
BEGIN
  IF OLD.started_event_id IS NOT NULL AND NEW.started_event_id IS DISTINCT FROM OLD.started_event_id THEN
    INSERT INTO job_events (id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
    VALUES (OLD.started_event_id, OLD.id, OLD.started_at, 'started', 'running', 0, NULL, 'Started',
      OLD.attempt, OLD.worker_id, NULL);
  END IF;
  IF OLD.completed_event_id IS NOT NULL AND NEW.completed_event_id IS DISTINCT FROM OLD.completed_event_id THEN
    INSERT INTO job_events (id, job_id, at, type, status, progress, stage, message, attempt, worker_id, data)
    VALUES (OLD.completed_event_id, OLD.id, OLD.completed_at, 'completed', 'completed', 100, OLD.stage,
      'Completed', OLD.attempt, OLD.worker_id, NULL);
  END IF;
  RETURN NULL;
END
$function$

-- function reelqueue_webhook_enqueue
CREATE OR REPLACE FUNCTION reelqueue_webhook_enqueue()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO '<schema>'
AS $function$
BEGIN
  INSERT INTO jobs (id, kind, user_id, priority, payload, created_at, run_at, timeout_seconds, max_retries)
  VALUES (gen_random_uuid(), 'webhook', NEW.user_id, 3,
    jsonb_build_object('job_id', NEW.id, 'url', NEW.payload ->> 'webhook_url', 'status', NEW.status),
    date_trunc('milliseconds', now()), now(), 60, 5);
  PERFORM reelqueue_count_wake_up('webhook', 1);
  RETURN NULL;
END
$function$
