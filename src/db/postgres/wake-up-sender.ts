/**
 * Sends the "a job is available" notification after the commit that queued the job, in a
 * transaction of its own, for enqueues that overlap another enqueue of this process.
 *
 * A NOTIFY inside an enqueue's transaction makes PostgreSQL (15, as measured here) take one lock for
 * the whole database at commit and hold it through the commit's WAL flush, so notifying
 * transactions commit one at a time instead of sharing flushes: pgbench, 8 clients, 3.3k enqueues/s
 * with the NOTIFY inside, 5.4k without. A transaction holding only a NOTIFY writes no WAL and holds
 * that lock for microseconds. A lone enqueue keeps its NOTIFY inside: one round trip less before a
 * worker hears of the job.
 *
 * Enqueues that commit while a notification is on its way share the next one: at most one is in
 * flight, and every announce is followed by a notification sent after it, which counts the jobs of
 * every announce it stands for (the workers decide from the count whether to claim).
 */
import type { AvailableJobs } from '../../jobs/store.js';

export class WakeUpSender {
  readonly #send: (jobs: AvailableJobs) => Promise<unknown>;
  #inFlight: Promise<void> | null = null;
  /** The jobs announced since the last notification went out, or null when none were. */
  #pending: AvailableJobs | null = null;

  /** `send` notifies; a failure is only a missed wake-up, which the workers' poll makes up for. */
  constructor(send: (jobs: AvailableJobs) => Promise<unknown>) {
    this.#send = send;
  }

  /** Asks for a notification of `jobs` sent after this call; returns at once. */
  announce(jobs: AvailableJobs): void {
    this.#pending =
      this.#pending === null
        ? { ...jobs }
        : {
            count: this.#pending.count + jobs.count,
            kind: this.#pending.kind === jobs.kind ? jobs.kind : null,
          };
    this.#inFlight ??= this.#sendUntilCaughtUp();
  }

  async #sendUntilCaughtUp(): Promise<void> {
    try {
      while (this.#pending !== null) {
        const jobs = this.#pending;
        this.#pending = null;
        // A wake-up, not a write: nothing is lost when it fails, workers find the job at their poll.
        await this.#send(jobs).catch(() => undefined);
      }
    } finally {
      this.#inFlight = null;
    }
  }

  /** Resolves once every notification asked for has been sent or has failed. */
  async settled(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }
}
