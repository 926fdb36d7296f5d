/**
 * Groups writes that arrive while a previous group is being written: an idle queue writes each one at
 * once, a busy one writes many in one round trip. No timer, so no added latency.
 */
export class WriteBatcher<Item, Result> {
  readonly #write: (items: Item[]) => Promise<Result[]>;
  readonly #maxBatch: number;
  #queue: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  #flushing = false;

  constructor(write: (items: Item[]) => Promise<Result[]>, maxBatch = 500) {
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // Let the writes of the same tick join this batch.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        const results = await this.#write(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => entry.resolve(results[i] as Result));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.#flushing = false;
  }
}
