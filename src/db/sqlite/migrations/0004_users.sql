-- Users, their API keys, and points (seed 004's prompt_points).
-- A job's cost is charged when it is inserted for a user and refunded when it ends without a video
-- (failed, cancelled, timeout), by triggers: every path that changes a job's status is covered, in
-- the same transaction as the change. A manual retry charges again. A balance is never negative.
-- (Numbered 0004 to match PostgreSQL, whose 0003 has no SQLite counterpart.)

CREATE TABLE users (
  id TEXT PRIMARY KEY NOT NULL,
  wallet_address TEXT UNIQUE,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  prompt_points INTEGER NOT NULL DEFAULT 0 CHECK (prompt_points >= 0),
  -- Signs this user's webhook deliveries (HMAC-SHA256).
  webhook_secret TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

-- Keys are `rq_<prefix>_<secret>`; only the sha256 of the whole key is stored.
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

CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);

ALTER TABLE jobs ADD COLUMN cost_points INTEGER NOT NULL DEFAULT 0 CHECK (cost_points >= 0);
-- What the owner paid for the job and gets back if it ends without a video.
ALTER TABLE jobs ADD COLUMN points_charged INTEGER NOT NULL DEFAULT 0 CHECK (points_charged >= 0);

-- Charge on insert. AFTER, not BEFORE: a BEFORE trigger also fires for a row that ON CONFLICT DO
-- NOTHING then skips (an idempotent repeat), which must neither charge nor fail.
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
WHEN NEW.status IN ('failed', 'cancelled', 'timeout')
  AND OLD.status NOT IN ('failed', 'cancelled', 'timeout')
  AND OLD.points_charged > 0
BEGIN
  UPDATE users SET prompt_points = prompt_points + OLD.points_charged WHERE id = OLD.user_id;
  UPDATE jobs SET points_charged = 0 WHERE id = NEW.id;
END;

-- Charge again when a refunded job is queued again (a manual retry); fails like an insert when short.
CREATE TRIGGER jobs_points_recharge AFTER UPDATE OF status ON jobs
WHEN OLD.status IN ('failed', 'cancelled', 'timeout')
  AND NEW.status NOT IN ('failed', 'cancelled', 'timeout')
  AND NEW.cost_points > 0 AND NEW.user_id IS NOT NULL AND NEW.points_charged = 0
BEGIN
  SELECT RAISE(ABORT, 'insufficient points')
  WHERE coalesce((SELECT prompt_points FROM users WHERE id = NEW.user_id), -1) < NEW.cost_points;
  UPDATE users SET prompt_points = prompt_points - NEW.cost_points WHERE id = NEW.user_id;
  UPDATE jobs SET points_charged = NEW.cost_points WHERE id = NEW.id;
END;
