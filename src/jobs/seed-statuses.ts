/**
 * The status names the seed services use, read wherever a status is an input (list filters over
 * HTTP and in the CLI), and written for seed 001's routes. Ours stay the stored and answered names.
 *
 * | seed name    | seeds        | reelqueue  |
 * | `queued`     | 000, 001, 002 | `pending`  |
 * | `processing` | 000, 001, 002 | `running`  |
 * | `generating` | 004          | `running`  |
 * `completed` and `failed` are the same in every seed; seed 003 uses reelqueue's names.
 */
import { JOB_STATUSES, type JobStatus } from './model.js';

export const SEED_STATUS_NAMES: Readonly<Record<string, JobStatus>> = Object.freeze({
  queued: 'pending',
  processing: 'running',
  generating: 'running',
});

/** Every name a status filter accepts: ours, then the seeds'. */
export const STATUS_INPUT_NAMES: readonly string[] = [...JOB_STATUSES, ...Object.keys(SEED_STATUS_NAMES)];

/** Our status for a name (ours or a seed's), or undefined for an unknown name. */
export function statusNamed(name: string): JobStatus | undefined {
  if ((JOB_STATUSES as readonly string[]).includes(name)) return name as JobStatus;
  return Object.hasOwn(SEED_STATUS_NAMES, name) ? SEED_STATUS_NAMES[name] : undefined;
}

/**
 * Our status as seeds 000–002 name it: `queued`, `processing`, `completed`, `failed`. Their clients
 * wait for `completed` or `failed`, so `cancelled` and `timeout` (which they do not know) read as
 * `failed`, with the reason in the job's error. A `waiting` job (its parents have not completed) is
 * `queued` to them: it has not started.
 */
export function seedStatusOf(status: JobStatus): 'queued' | 'processing' | 'completed' | 'failed' {
  switch (status) {
    case 'pending':
    case 'waiting':
      return 'queued';
    case 'running':
      return 'processing';
    case 'completed':
      return 'completed';
    default:
      return 'failed';
  }
}

/** Our statuses for names already checked against STATUS_INPUT_NAMES, each once. */
export function statusesNamed(names: readonly string[]): JobStatus[] {
  const statuses = new Set<JobStatus>();
  for (const name of names) {
    const status = statusNamed(name);
    if (status) statuses.add(status);
  }
  return [...statuses];
}
