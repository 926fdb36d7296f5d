/**
 * What a handler gets to run one job (`JobContext`): the job, its payload, an AbortSignal made on
 * first use, and a progress function that writes at most every PROGRESS_INTERVAL_MS unless the stage
 * changes. One object of a class per job, its getters on the prototype; `progress` is the one
 * closure, since handlers take it out of the context (`async run({ job, progress })`).
 */
import { isReelqueueError, ReelqueueError } from '../errors.js';
import type { JobAbort } from './job-abort.js';
import { WaitForJobs, type JobContext, type ParentResult } from './kinds.js';
import type { Job, JsonObject, Lease } from './model.js';
import type { ProgressUpdate } from './store.js';

/** A progress write at most this often per job, unless its stage changes. */
export const PROGRESS_INTERVAL_MS = 200;

/** Writes one progress update, fenced on the lease; throws LEASE_LOST when the lease is gone. */
export type ProgressWriter = (lease: Lease, update: ProgressUpdate) => Promise<void>;

/** Reads the parents' outcomes of a job (`readParentResults` of dependencies.ts). */
export type ParentReader = (jobId: string) => Promise<ParentResult[]>;

const NO_PARENTS: ParentReader = () => Promise.resolve([]);

export class RunningJobContext implements JobContext {
  readonly job: Job;
  readonly #lease: Lease;
  readonly #abort: JobAbort;
  readonly #write: ProgressWriter;
  readonly #readParents: ParentReader;
  #lastWriteAt = 0;
  #lastStage: string | null = null;

  constructor(job: Job, lease: Lease, abort: JobAbort, write: ProgressWriter, readParents = NO_PARENTS) {
    this.job = job;
    this.#lease = lease;
    this.#abort = abort;
    this.#write = write;
    this.#readParents = readParents;
  }

  waitFor(jobIds: readonly string[], message: string): WaitForJobs {
    return new WaitForJobs(jobIds, message);
  }

  parentResults(): Promise<ParentResult[]> {
    return this.#readParents(this.job.id);
  }

  get payload(): JsonObject {
    return this.job.payload;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  readonly progress = async (
    stage: string,
    percent: number,
    message = '',
    data?: JsonObject,
  ): Promise<void> => {
    if (this.#abort.reason) throw this.#abort.reason;
    const now = Date.now();
    const throttled =
      stage === this.#lastStage && percent < 100 && now - this.#lastWriteAt < PROGRESS_INTERVAL_MS;
    if (throttled && data === undefined) return;
    this.#lastWriteAt = now;
    this.#lastStage = stage;
    try {
      await this.#write(this.#lease, {
        progress: percent,
        stage,
        message,
        ...(data === undefined ? {} : { data }),
      });
    } catch (error) {
      if (isReelqueueError(error, 'LEASE_LOST')) {
        this.#abort.abort(new ReelqueueError('LEASE_LOST', error.message, { jobId: this.job.id }));
      }
      throw error;
    }
  };
}
