/**
 * One queue under test. A system opens fresh stores (a schema, a SQLite file, a Redis queue); a
 * store adds jobs, counts the unfinished ones, and says how to start a worker process on it.
 */
import type { ProcessSpec } from '../lib/child-process.js';

export type WorkerMode = 'throughput' | 'pickup';
/** `noop` jobs for throughput and enqueue; `ping` jobs for pickup, whose handler reports its start. */
export type JobPurpose = 'noop' | 'ping';

export interface WorkerRequest {
  mode: WorkerMode;
  concurrency: number;
  /** Extra node flags for the worker process (e.g. --cpu-prof). */
  nodeFlags: readonly string[];
}

export interface QueueStore {
  addOne(purpose: JobPurpose): Promise<void>;
  /** Adds `count` jobs in the system's bulk call (one call where the system has one). */
  addMany(count: number, purpose: JobPurpose): Promise<void>;
  /** Jobs not finished yet (waiting, delayed or running). */
  unfinished(): Promise<number>;
  worker(request: WorkerRequest): ProcessSpec;
  /**
   * True when producer and worker must share a process for instant wake-ups (SQLite's in-process
   * signal): the pickup scenario then asks the worker process to add each job itself.
   */
  readonly embeddedProducer?: boolean;
  /** True when workers find new jobs only by polling (pickup then takes fewer samples). */
  readonly pollsOnly?: boolean;
  /** Closes connections and removes the schema, file or queue. */
  close(): Promise<void>;
}

export interface QueueSystem {
  /** Stable id used by --systems and in the JSON, e.g. `reelqueue-pg`. */
  readonly id: string;
  /** Shown in the tables. */
  readonly label: string;
  /** `reference` rows (e.g. the commit ceiling) are shown but never count as the best peer. */
  readonly role: 'reelqueue' | 'peer' | 'reference';
  /** Not every system takes part in every scenario (e.g. the commit ceiling only enqueues). */
  readonly scenarios: readonly string[];
  open(): Promise<QueueStore>;
}

/** Runs a TypeScript file from bench/workers with node + tsx, talking over IPC. */
export function benchScript(
  file: string,
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
): ProcessSpec {
  return {
    command: process.execPath,
    args: [...nodeFlags, '--import', 'tsx', new URL(`../workers/${file}`, import.meta.url).pathname],
    env,
    channel: 'ipc',
  };
}
