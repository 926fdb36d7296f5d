/**
 * The worker process registry: each worker records who it is as a process (`ProcessIdentity`) when it
 * starts, so that a reaper on the same host can prove it dead and re-queue its jobs at once, instead
 * of after their leases. A record is only made where the identity is whole (Linux, /proc readable).
 */
import type { ProcessIdentity } from './process-identity.js';

/** A registered worker: its id and the process identity it recorded. */
export interface WorkerProcess {
  workerId: string;
  identity: ProcessIdentity;
}

/** A row of `worker_processes`, as both dialects return it. */
export interface WorkerProcessRow {
  worker_id: string;
  hostname: string;
  boot_id: string;
  pid_namespace: string;
  pid: number;
  start_time: string;
}

export function workerProcessFromRow(row: WorkerProcessRow): WorkerProcess {
  return {
    workerId: row.worker_id,
    identity: {
      pid: Number(row.pid),
      startTime: row.start_time,
      bootId: row.boot_id,
      pidNamespace: row.pid_namespace,
      hostname: row.hostname,
    },
  };
}

/** The identity fields a record needs, or null when this platform cannot give them all. */
export function recordableIdentity(
  identity: ProcessIdentity,
): (ProcessIdentity & { startTime: string; bootId: string; pidNamespace: string }) | null {
  const { startTime, bootId, pidNamespace } = identity;
  if (startTime === null || bootId === null || pidNamespace === null) return null;
  return { ...identity, startTime, bootId, pidNamespace };
}
