/**
 * Status reads (`getWithPosition`) go to PostgreSQL in batches: the jobs by `id = ANY($1)`, each
 * read once however many readers asked for it, then each reader's scope applied to its answer. A
 * read on its own is a round trip whose driver and protocol work costs client and server more than
 * the row itself (bench/tools/pg-row-cost.ts). The reads asked for in one turn of the event loop go
 * at the next turn (`setImmediate`), unless MAX_STATEMENTS_IN_FLIGHT statements are still out: then
 * they wait for the first of those to return, and go together. An idle read waits one loop turn
 * longer. The answer is as of the statement, which runs after every read in it was asked for.
 */
import { inScope, type PositionedJob, type Scope } from '../../jobs/store.js';

/**
 * Statements of status reads out at once; the reads asked for meanwhile gather into the next. With
 * every client reading one job (`bench/tools/http-cost.ts --jobs one`, 2 pairs against a statement
 * every turn, 2 against 2 out): 1 statement out at a time cost PostgreSQL 14.0–15.4 µs a read
 * against 16.7 µs with a statement every turn, and answered 19.0–21.1k reads/s against 18.1–19.0k;
 * 2 out at a time 16.4–17.2 µs.
 */
const MAX_STATEMENTS_IN_FLIGHT = 1;

interface Reader {
  scope: Scope;
  resolve: (answer: PositionedJob | null) => void;
  reject: (error: unknown) => void;
}

export class StatusReadBatcher {
  #waiting = new Map<string, Reader[]>();
  #inFlight = 0;
  #scheduled = false;

  constructor(private readonly readMany: (ids: readonly string[]) => Promise<PositionedJob[]>) {}

  read(id: string, scope: Scope): Promise<PositionedJob | null> {
    return new Promise((resolve, reject) => {
      const readers = this.#waiting.get(id);
      if (readers) readers.push({ scope, resolve, reject });
      else this.#waiting.set(id, [{ scope, resolve, reject }]);
      this.#schedule();
    });
  }

  /** Sends the waiting reads at the next turn, unless a send is due already or too many are out. */
  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= MAX_STATEMENTS_IN_FLIGHT || this.#waiting.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const waiting = this.#waiting;
    this.#waiting = new Map();
    this.#inFlight += 1;
    let found: Map<string, PositionedJob> | null = null;
    let failure: unknown = null;
    try {
      found = new Map((await this.readMany([...waiting.keys()])).map((answer) => [answer.job.id, answer]));
    } catch (error) {
      failure = error;
    } finally {
      this.#inFlight -= 1;
      this.#schedule();
    }
    for (const [id, readers] of waiting) {
      const answer = found?.get(id) ?? null;
      for (const { scope, resolve, reject } of readers) {
        if (!found) reject(failure);
        // Another user's job answers exactly like a missing one.
        else resolve(answer && inScope(scope, answer.job.userId) ? answer : null);
      }
    }
  }
}
