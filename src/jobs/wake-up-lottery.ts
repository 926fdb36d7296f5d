/**
 * Which wake-ups a worker answers with a claim, so that one new job does not make every idle worker
 * of a fleet claim (issue 29: a hundred idle processes made about 150 claims per job, all but one
 * empty).
 *
 * Each worker answers a wake-up that announces `n` jobs with the chance `min(1, chance × n)`, and
 * learns its `chance` from what its answers find: a claim that got a job doubles it (few peers
 * raced for it), an empty one halves it (others took the jobs first). Halving on a loss and
 * doubling on a win settle where about two idle workers answer each one-job wake-up, whatever the
 * size of the fleet, with no count of the fleet anywhere: a lone worker always wins and keeps a
 * chance of 1, so its pickup is what it was; busy workers do not answer and do not learn. A wake-up
 * that nobody answers (about one in eight for one job) leaves the job to the polls, which stay the
 * safety net; a poll that finds jobs also doubles the chance (a wake-up was missed).
 *
 * A wake-up that does not say how many jobs it announces (a reconnect, an older sender, SQLite's
 * wake file) is answered by every worker, as before.
 */

/** A worker answers at least one wake-up for a single job in this many (fleets of a few hundred). */
const LOWEST_CHANCE = 1 / 1024;

export class WakeUpLottery {
  readonly #random: () => number;
  #chance = 1;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** The chance of answering a wake-up for one job. */
  get chance(): number {
    return this.#chance;
  }

  /** Whether to claim for a wake-up announcing `jobs` jobs (null: not known, always). */
  answers(jobs: number | null): boolean {
    if (jobs === null) return true;
    return this.#random() < Math.min(1, this.#chance * jobs);
  }

  /** A claim that answered a wake-up (or a poll) found jobs. */
  found(): void {
    this.#chance = Math.min(1, this.#chance * 2);
  }

  /** A claim that answered a wake-up came back empty: other workers took the jobs. */
  foundNothing(): void {
    this.#chance = Math.max(LOWEST_CHANCE, this.#chance / 2);
  }
}
