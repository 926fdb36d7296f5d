-- Attempts lost with their worker (killed, frozen past its lease) are counted apart from retries: a
-- worker dying is not the job's fault, so recovering an orphan no longer uses up one of its
-- retries. They have their own, larger limit (MAX_LOST_ATTEMPTS), so a job that kills every worker
-- that runs it still ends: failed, WORKER_LOST_REPEATEDLY.
ALTER TABLE jobs ADD COLUMN lost_attempts INTEGER NOT NULL DEFAULT 0 CHECK (lost_attempts >= 0);

-- Who each worker is, as a process: a reaper on the same host (same hostname and pid namespace) that
-- proves the process gone (src/jobs/process-identity.ts: no process has the pid, or another started
-- since, or the host rebooted) re-queues its running jobs at once instead of waiting for their
-- leases. Across hosts the lease stays the rule. A worker adds its row when it starts and removes it
-- when it stops; the reaper removes the rows of the dead workers it recovered.
CREATE TABLE worker_processes (
  worker_id TEXT PRIMARY KEY NOT NULL,
  hostname TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  pid_namespace TEXT NOT NULL,
  pid INTEGER NOT NULL,
  start_time TEXT NOT NULL,
  registered_at INTEGER NOT NULL
) STRICT;
CREATE INDEX worker_processes_hostname_idx ON worker_processes (hostname);
