/**
 * Wake-ups between stores on one SQLite file: a new job wakes idle workers at once, a cancel request
 * reaches the worker running the job. Within a process an EventEmitter carries them. Across
 * processes (an API and a separate worker process) a `WakeFile` beside the database does: a new
 * job wakes the other processes' workers, with how many jobs of which kind (the wake-up message of
 * NOTIFY and Redis), so that their lottery applies as on PostgreSQL (issue 29: twenty worker
 * processes on one host no longer all claim for each job); a cancel request tells them to look for
 * running jobs whose cancellation was asked for, since that file carries no job id. Polling and
 * heartbeats stay the backstop.
 */
import { EventEmitter } from 'node:events';
import type { AvailableJobs } from '../../jobs/store.js';
import { availableMessage, dueMessage, parseWakeUp } from '../../jobs/wake-up-message.js';
import { addAvailable } from '../../jobs/due-wake-ups.js';
import { WakeFile, type TouchMessages } from './wake-file.js';

const AVAILABLE = 'available';
const CANCEL = 'cancel';
const CANCEL_ELSEWHERE = 'cancel-elsewhere';

export class SqliteSignals {
  readonly #emitter = new EventEmitter();
  readonly #available: WakeFile | null;
  readonly #cancel: WakeFile | null;
  #holders = 0;
  readonly #forget: () => void;

  constructor(filename: string, forget: () => void) {
    this.#emitter.setMaxListeners(0);
    this.#forget = forget;
    const shared = filename !== ':memory:';
    this.#available = shared
      ? new WakeFile(`${filename}-wake-available`, (messages) => this.#heardAvailable(messages))
      : null;
    this.#cancel = shared
      ? new WakeFile(`${filename}-wake-cancel`, () => this.#emitter.emit(CANCEL_ELSEWHERE))
      : null;
  }

  hold(): this {
    this.#holders += 1;
    return this;
  }

  /** The last holder's release closes the files. */
  release(): void {
    this.#holders -= 1;
    if (this.#holders > 0) return;
    this.#available?.close();
    this.#cancel?.close();
    this.#forget();
  }

  /** After a commit that made `jobs` claimable (undefined: how many is not known). */
  jobAvailable(jobs?: AvailableJobs): void {
    if (jobs?.count === 0) return;
    this.#emitter.emit(AVAILABLE, jobs);
    this.#available?.touch(availableMessage(jobs));
  }

  /**
   * After a commit that queued `jobs` to fall due in `inMs`: the workers of every process arm a
   * timer for them (`AvailableJobs.dueInMs`), so that they are found then even if this one stops.
   */
  jobsDue(jobs: AvailableJobs, inMs: number): void {
    if (jobs.count === 0) return;
    this.#emitter.emit(AVAILABLE, { count: jobs.count, kind: jobs.kind, dueInMs: Math.ceil(inMs) });
    this.#available?.touch(dueMessage(jobs, inMs));
  }

  /**
   * Other processes' wake-ups, one per kind they named (this process's own were heard as sent);
   * a change the file does not explain wakes every listener without a count.
   */
  #heardAvailable(messages: TouchMessages): void {
    if (messages === null) {
      this.#emitter.emit(AVAILABLE);
      return;
    }
    const byKind = new Map<string | null, AvailableJobs>();
    for (const message of messages) {
      const wakeUp = parseWakeUp(message);
      if (wakeUp?.type !== 'available' || wakeUp.jobs === undefined) {
        this.#emitter.emit(AVAILABLE);
        return;
      }
      // Jobs due later are not added to those claimable now: they arm the workers' timers.
      if (wakeUp.jobs.dueInMs !== undefined) {
        this.#emitter.emit(AVAILABLE, wakeUp.jobs);
        continue;
      }
      const { kind } = wakeUp.jobs;
      byKind.set(kind, addAvailable(byKind.get(kind) ?? { count: 0, kind }, wakeUp.jobs));
    }
    for (const jobs of byKind.values()) this.#emitter.emit(AVAILABLE, jobs);
  }

  /** After a commit that asked a running job to stop. */
  cancelRequested(jobId: string): void {
    this.#emitter.emit(CANCEL, jobId);
    this.#cancel?.touch();
  }

  onJobAvailable(listener: (jobs?: AvailableJobs) => void): () => void {
    this.#emitter.on(AVAILABLE, listener);
    return () => this.#emitter.off(AVAILABLE, listener);
  }

  /** `listener` gets the job id of a cancel asked for in this process. */
  onCancelRequested(listener: (jobId: string) => void): () => void {
    this.#emitter.on(CANCEL, listener);
    return () => this.#emitter.off(CANCEL, listener);
  }

  /** `listener` runs when some process asked for a cancel (this one too); which job, it must look up. */
  onCancelElsewhere(listener: () => void): () => void {
    this.#emitter.on(CANCEL_ELSEWHERE, listener);
    return () => this.#emitter.off(CANCEL_ELSEWHERE, listener);
  }
}

const open = new Map<string, SqliteSignals>();

/** The signals of `filename` in this process; `release()` them when done. */
export function holdSignals(filename: string): SqliteSignals {
  let signals = open.get(filename);
  if (!signals) {
    signals = new SqliteSignals(filename, () => open.delete(filename));
    open.set(filename, signals);
  }
  return signals.hold();
}
