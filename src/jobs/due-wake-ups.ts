/**
 * Wake-ups for jobs that become claimable later than the write that queued them: a retry with a
 * delay, a job enqueued with a `run_at` ahead (issue 29). Announcing them at the write wakes workers
 * into claims that find nothing (and teaches their lottery to answer less), and nothing announces
 * them when they fall due, so only a poll found them. This process holds a timer per due time and
 * announces them then. It also tells the workers of every process at the write (`announceLater`:
 * a `t:` wake-up), and each arms a timer of its own, as it does for the next due time it reads from
 * the database after a claim that found nothing (worker.ts): if this process stops first, the jobs
 * are still found at their due time.
 *
 * The delay is read from the job as the database wrote it (`runAt` − `updatedAt`, one clock), so a
 * node whose clock is off never announces early. Jobs due within the same few milliseconds share one
 * wake-up.
 */
import type { Job } from './model.js';
import type { AvailableJobs } from './store.js';

/** Jobs due within this many milliseconds of each other share a wake-up. */
const BUCKET_MS = 20;

/** The jobs of `jobs` already claimable as written (pending, due), and those that fall due later. */
export function splitByDue(jobs: readonly Job[]): { now: Job[]; later: Job[] } {
  const now: Job[] = [];
  const later: Job[] = [];
  for (const job of jobs) {
    if (job.status !== 'pending') continue;
    (delayMs(job) > 0 ? later : now).push(job);
  }
  return { now, later };
}

/** How many jobs, and their kind when they share one. */
export function availableJobs(jobs: readonly Pick<Job, 'kind'>[]): AvailableJobs {
  const kind = jobs[0]?.kind ?? null;
  return { count: jobs.length, kind: jobs.every((job) => job.kind === kind) ? kind : null };
}

/** Both announcements as one: the counts added, the kind kept when they share it. */
export function addAvailable(a: AvailableJobs, b: AvailableJobs): AvailableJobs {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  return { count: a.count + b.count, kind: a.kind === b.kind ? a.kind : null };
}

function delayMs(job: Job): number {
  return job.runAt.getTime() - Math.max(job.updatedAt.getTime(), job.createdAt.getTime());
}

export class DueWakeUps {
  readonly #announce: (jobs: AvailableJobs) => void;
  readonly #announceLater: (jobs: AvailableJobs, inMs: number) => void;
  /** Jobs to announce, by the bucket of their due time (ms since the epoch, this clock). */
  readonly #due = new Map<number, { jobs: AvailableJobs; timer: NodeJS.Timeout }>();
  #closed = false;

  /**
   * `announce` tells the workers; it runs when the jobs fall due. `announceLater` runs at once,
   * once per `schedule` that has jobs due later: in how long the first falls due, and how many
   * (those due within a few ms of it).
   */
  constructor(
    announce: (jobs: AvailableJobs) => void,
    announceLater: (jobs: AvailableJobs, inMs: number) => void = () => undefined,
  ) {
    this.#announce = announce;
    this.#announceLater = announceLater;
  }

  /** Arms a wake-up for each pending job of `jobs` whose `run_at` is ahead; the others it ignores. */
  schedule(jobs: readonly Job[]): void {
    if (this.#closed) return;
    const { later } = splitByDue(jobs);
    if (later.length > 0) {
      // The first to fall due, and those due with it: a worker arms one timer, for the earliest.
      const firstInMs = later.reduce((first, job) => Math.min(first, delayMs(job)), Infinity);
      const first = later.filter((job) => delayMs(job) - firstInMs <= BUCKET_MS);
      this.#announceLater(availableJobs(first), firstInMs);
    }
    for (const job of later) {
      const bucket = Math.ceil((Date.now() + delayMs(job)) / BUCKET_MS) * BUCKET_MS;
      const armed = this.#due.get(bucket);
      const one = { count: 1, kind: job.kind };
      if (armed) {
        armed.jobs = addAvailable(armed.jobs, one);
        continue;
      }
      const timer = setTimeout(() => this.#fire(bucket), Math.max(0, bucket - Date.now()));
      // A wake-up never keeps a process alive.
      timer.unref();
      this.#due.set(bucket, { jobs: one, timer });
    }
  }

  /** Wake-ups armed and not yet sent. */
  get pending(): number {
    return this.#due.size;
  }

  close(): void {
    this.#closed = true;
    for (const { timer } of this.#due.values()) clearTimeout(timer);
    this.#due.clear();
  }

  #fire(bucket: number): void {
    const armed = this.#due.get(bucket);
    this.#due.delete(bucket);
    if (armed && !this.#closed) this.#announce(armed.jobs);
  }
}
