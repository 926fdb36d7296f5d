/**
 * Job kinds: what a `kind` accepts as payload and the handler that runs it. Enqueueing checks the
 * payload against the kind before anything is written; workers run the handler.
 */
import { ReelqueueError } from '../errors.js';
import type { Job, JobStatus, JsonObject } from './model.js';

export interface JobContext {
  readonly job: Job;
  readonly payload: JsonObject;
  /** Fires on cancellation, timeout, lost lease or shutdown; `signal.reason` is a ReelqueueError. */
  readonly signal: AbortSignal;
  /**
   * Reports progress (0–100) in the current stage; throws LEASE_LOST when the lease is gone. With
   * `data`, the report is always written (never throttled) and `data` is kept in its event.
   */
  progress(stage: string, percent: number, message?: string, data?: JsonObject): Promise<void>;
  /**
   * The jobs this one depends on (`dependsOn`), in id order, each with its status and result (a
   * parent removed by a cleanup is left out). Read from the database at each call.
   */
  parentResults(): Promise<ParentResult[]>;
  /**
   * Hands the worker back while the jobs `jobIds` (ones this job started) run: a handler returns
   * (or throws) what this gives, the job becomes `waiting` on them without using up an attempt, and
   * its handler runs again once they have all ended (`JobStore.waitForJobs`). The job's timeout
   * counts the wait: past it, the waiting job ends `timeout` (`JobStore.timeOutWaiting`).
   */
  waitFor(jobIds: readonly string[], message: string): WaitForJobs;
}

/** What `JobContext.waitFor` gives: thrown by a handler, it parks the job instead of ending it. */
export class WaitForJobs extends Error {
  readonly jobIds: readonly string[];
  constructor(jobIds: readonly string[], message: string) {
    super(message);
    this.name = 'WaitForJobs';
    this.jobIds = [...jobIds];
  }
}

/** A parent's outcome as its child reads it. */
export interface ParentResult {
  jobId: string;
  kind: string;
  status: JobStatus;
  result: JsonObject | null;
}

export interface JobKind {
  readonly name: string;
  /** Validates and normalises a payload; throws INVALID_PAYLOAD with a clear message. */
  parsePayload(input: unknown): JsonObject;
  /** Does the work; resolves with the result stored on the job. */
  run(context: JobContext): Promise<JsonObject | void>;
  /**
   * Housekeeping of this kind's jobs that no handler is there to do (a split render's segments whose
   * presentation ended), run by each reaper sweep (reaper.ts) of every process that has the kind:
   * safe to run on many nodes at once. Resolves with how many jobs it changed or removed.
   */
  sweep?(): Promise<number>;
}

export class KindRegistry {
  readonly #kinds = new Map<string, JobKind>();

  constructor(kinds: readonly JobKind[] = []) {
    for (const kind of kinds) this.register(kind);
  }

  register(kind: JobKind): this {
    if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(kind.name)) {
      throw new RangeError(`kind name ${JSON.stringify(kind.name)} must match [a-z][a-z0-9_.-]{0,63}`);
    }
    this.#kinds.set(kind.name, kind);
    return this;
  }

  get(name: string): JobKind {
    const kind = this.#kinds.get(name);
    if (!kind) {
      throw new ReelqueueError('UNKNOWN_KIND', `Unknown job kind ${JSON.stringify(name)}`, {
        kind: name,
        known: this.names(),
      });
    }
    return kind;
  }

  has(name: string): boolean {
    return this.#kinds.has(name);
  }

  names(): string[] {
    return [...this.#kinds.keys()].sort();
  }

  /** The kinds that have a `sweep`, in name order. */
  withSweeps(): JobKind[] {
    return this.names().flatMap((name) => {
      const kind = this.#kinds.get(name) as JobKind;
      return kind.sweep ? [kind] : [];
    });
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
