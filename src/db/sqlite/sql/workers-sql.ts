/** SQL of the worker process registry (`worker_processes`, migration 0019), SQLite. */
import { NOW } from './jobs-sql.js';

export const workersSql = {
  register: `
    INSERT OR REPLACE INTO worker_processes
      (worker_id, hostname, boot_id, pid_namespace, pid, start_time, registered_at)
    VALUES (@workerId, @hostname, @bootId, @pidNamespace, @pid, @startTime, ${NOW})`,
  /** @ids a JSON array of worker ids. */
  unregister: `DELETE FROM worker_processes WHERE worker_id IN (SELECT value FROM json_each(@ids))`,
  onHost: `
    SELECT worker_id, hostname, boot_id, pid_namespace, pid, start_time FROM worker_processes
    WHERE hostname = @hostname`,
} as const;

/** A `recoverWhere` condition: the running jobs of the workers @workerIds (a JSON array). */
export const heldByWorkers = `worker_id IN (SELECT value FROM json_each(@workerIds))`;
