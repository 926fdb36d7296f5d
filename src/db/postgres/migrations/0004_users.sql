-- Users, their API keys, and points (seed 004's prompt_points).
-- A job's cost is charged when it is inserted for a user and refunded when it ends without a video
-- (failed, cancelled, timeout), by triggers: every path that changes a job's status is covered, in
-- the same transaction as the change. A manual retry charges again. A balance is never negative.
-- Short of points: SQLSTATE RQ402, which the job store maps to INSUFFICIENT_POINTS.

CREATE TABLE users (
  id text PRIMARY KEY,
  wallet_address text UNIQUE,
  role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  prompt_points integer NOT NULL DEFAULT 0 CHECK (prompt_points >= 0),
  -- Signs this user's webhook deliveries (HMAC-SHA256).
  webhook_secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Keys are `rq_<prefix>_<secret>`; only the sha256 of the whole key is stored.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  prefix text NOT NULL UNIQUE,
  key_hash text NOT NULL,
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);

ALTER TABLE jobs
  ADD COLUMN cost_points integer NOT NULL DEFAULT 0 CHECK (cost_points >= 0),
  -- What the owner paid for the job and gets back if it ends without a video.
  ADD COLUMN points_charged integer NOT NULL DEFAULT 0 CHECK (points_charged >= 0);

-- On insert: the job holds its cost unless it has no owner (no side effects here: a BEFORE trigger
-- also fires for a row that ON CONFLICT DO NOTHING then skips).
CREATE FUNCTION reelqueue_points_price()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.points_charged := CASE WHEN NEW.user_id IS NULL THEN 0 ELSE NEW.cost_points END;
  RETURN NEW;
END
$$;

CREATE TRIGGER jobs_points_price BEFORE INSERT ON jobs
FOR EACH ROW WHEN (NEW.cost_points > 0 OR NEW.points_charged <> 0)
EXECUTE FUNCTION reelqueue_points_price();

-- After the row is really inserted: take the points, or fail the insert.
CREATE FUNCTION reelqueue_points_charge()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  UPDATE users SET prompt_points = prompt_points - NEW.points_charged
  WHERE id = NEW.user_id AND prompt_points >= NEW.points_charged;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user % has fewer than % points', NEW.user_id, NEW.points_charged
      USING ERRCODE = 'RQ402';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER jobs_points_charge AFTER INSERT ON jobs
FOR EACH ROW WHEN (NEW.points_charged > 0)
EXECUTE FUNCTION reelqueue_points_charge();

-- Into failed/cancelled/timeout: refund. Out of them (a manual retry): charge again, or fail.
-- Claims, completions and re-queues never cross that line, so they never run this function.
CREATE FUNCTION reelqueue_points_on_status()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  IF NEW.status IN ('failed', 'cancelled', 'timeout') THEN
    IF OLD.points_charged > 0 THEN
      UPDATE users SET prompt_points = prompt_points + OLD.points_charged WHERE id = OLD.user_id;
    END IF;
    NEW.points_charged := 0;
  ELSIF NEW.user_id IS NOT NULL AND NEW.cost_points > 0 AND OLD.points_charged = 0 THEN
    UPDATE users SET prompt_points = prompt_points - NEW.cost_points
    WHERE id = NEW.user_id AND prompt_points >= NEW.cost_points;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'user % has fewer than % points', NEW.user_id, NEW.cost_points
        USING ERRCODE = 'RQ402';
    END IF;
    NEW.points_charged := NEW.cost_points;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER jobs_points_on_status BEFORE UPDATE OF status ON jobs
FOR EACH ROW WHEN ((OLD.status IN ('failed', 'cancelled', 'timeout'))
  IS DISTINCT FROM (NEW.status IN ('failed', 'cancelled', 'timeout')))
EXECUTE FUNCTION reelqueue_points_on_status();
