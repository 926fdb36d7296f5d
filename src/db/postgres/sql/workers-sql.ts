/** SQL of the worker process registry (`worker_processes`, migration 0019), PostgreSQL. */

export const workersSql = {
  /** $1 worker id, $2 hostname, $3 boot id, $4 pid namespace, $5 pid, $6 start time. */
  register: `
    INSERT INTO worker_processes (worker_id, hostname, boot_id, pid_namespace, pid, start_time)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (worker_id) DO UPDATE SET hostname = EXCLUDED.hostname, boot_id = EXCLUDED.boot_id,
      pid_namespace = EXCLUDED.pid_namespace, pid = EXCLUDED.pid, start_time = EXCLUDED.start_time,
      registered_at = now()`,
  /** $1 worker ids. */
  unregister: `DELETE FROM worker_processes WHERE worker_id = ANY($1::text[])`,
  /** $1 hostname. */
  onHost: `
    SELECT worker_id, hostname, boot_id, pid_namespace, pid, start_time FROM worker_processes
    WHERE hostname = $1`,
} as const;

/** A `recoverWhere` condition: the running jobs of the workers $3 (text[]). */
export const heldByWorkers = `worker_id = ANY($3::text[])`;
