/**
 * Status reads (`getWithPosition`) asked for in one turn of the event loop go to PostgreSQL as one
 * statement at the next turn (`setImmediate`): the jobs by `id = ANY($1)`, each read once however
 * many readers asked for it, then each reader's scope applied to its answer. A read on its own is a
 * round trip whose driver and protocol work costs client and server more than the row itself
 * (bench/tools/pg-row-cost.ts); under load a turn holds many reads. An idle read waits one loop turn
 * longer. The answer is as of the statement, which runs after every read in it was asked for.
 */
import { inScope, type PositionedJob, type Scope } from '../../jobs/store.js';

interface Reader {
  scope: Scope;
  resolve: (answer: PositionedJob | null) => void;
  reject: (error: unknown) => void;
}

export class StatusReadBatcher {
  #waiting = new Map<string, Reader[]>();

  constructor(private readonly readMany: (ids: readonly string[]) => Promise<PositionedJob[]>) {}

  read(id: string, scope: Scope): Promise<PositionedJob | null> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) setImmediate(() => void this.#flush());
      const readers = this.#waiting.get(id);
      if (readers) readers.push({ scope, resolve, reject });
      else this.#waiting.set(id, [{ scope, resolve, reject }]);
    });
  }

  async #flush(): Promise<void> {
    const waiting = this.#waiting;
    this.#waiting = new Map();
    let found: Map<string, PositionedJob>;
    try {
      found = new Map((await this.readMany([...waiting.keys()])).map((answer) => [answer.job.id, answer]));
    } catch (error) {
      for (const readers of waiting.values()) for (const reader of readers) reader.reject(error);
      return;
    }
    for (const [id, readers] of waiting) {
      const answer = found.get(id) ?? null;
      for (const { scope, resolve } of readers) {
        // Another user's job answers exactly like a missing one.
        resolve(answer && inScope(scope, answer.job.userId) ? answer : null);
      }
    }
  }
}
