/** How a job's attempts and retries read on its page. */
import type { JobWire } from './api/types.js';

const retries = (count: number) => `${count} ${count === 1 ? 'retry' : 'retries'}`;

/** "2 (retries used 1 of 2)"; past the limit, the retries forced beyond it, never "3 of 2". */
export function attemptsSummary(job: Pick<JobWire, 'attempt' | 'retry_count' | 'max_retries'>): string {
  if (job.attempt === 0) return 'not started yet';
  if (job.retry_count <= job.max_retries) {
    return `${job.attempt} (retries used ${job.retry_count} of ${job.max_retries})`;
  }
  const forced = retries(job.retry_count - job.max_retries);
  const allowed =
    job.max_retries === 0
      ? 'no retries allowed'
      : job.max_retries === 1
        ? 'its one retry used'
        : `all ${retries(job.max_retries)} used`;
  return `${job.attempt} (${allowed}, then ${forced} forced past the limit)`;
}
