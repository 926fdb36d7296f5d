-- The refund and the charge of a manual retry (migration 0004) ran in a BEFORE UPDATE OF status row
-- trigger. Its WHEN clause is false for claims and completions, yet a BEFORE row trigger makes
-- PostgreSQL fetch and lock the old row again for every row the update touches, to evaluate WHEN:
-- one more tuple lock and its WAL record for each claim and each completion. In a 20,000-job drain
-- (bench/tools/drain-cost.ts, 4 rounds) it cost 4.5 µs of server CPU and 56 bytes of WAL a job.
-- AFTER row triggers evaluate WHEN on the row versions the update already holds, as SQLite's have
-- from its migration 0004. Being AFTER, they cannot set NEW.points_charged; they update it, which
-- writes a second row version, only for a job that crosses the line (fails, is cancelled, times out
-- or is retried by hand). RQ402 still aborts the statement that made the change.

DROP TRIGGER jobs_points_on_status ON jobs;
DROP FUNCTION reelqueue_points_on_status();

-- Into failed/cancelled/timeout, holding points: give them back.
CREATE FUNCTION reelqueue_points_refund()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  UPDATE users SET prompt_points = prompt_points + OLD.points_charged WHERE id = OLD.user_id;
  UPDATE jobs SET points_charged = 0 WHERE id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER jobs_points_refund AFTER UPDATE OF status ON jobs
FOR EACH ROW WHEN (NEW.status IN ('failed', 'cancelled', 'timeout')
  AND OLD.status NOT IN ('failed', 'cancelled', 'timeout')
  AND OLD.points_charged > 0)
EXECUTE FUNCTION reelqueue_points_refund();

-- Out of failed/cancelled/timeout (a manual retry), for an owner, at a cost: charge again, or fail.
CREATE FUNCTION reelqueue_points_recharge()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
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
$$;

CREATE TRIGGER jobs_points_recharge AFTER UPDATE OF status ON jobs
FOR EACH ROW WHEN (OLD.status IN ('failed', 'cancelled', 'timeout')
  AND NEW.status NOT IN ('failed', 'cancelled', 'timeout')
  AND NEW.user_id IS NOT NULL AND NEW.cost_points > 0 AND NEW.points_charged = 0)
EXECUTE FUNCTION reelqueue_points_recharge();
