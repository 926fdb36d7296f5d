/**
 * Reads each followed job's event log once per poll and process, however many clients follow it,
 * and hands every client the events after its own cursor. A client that connects behind the feed
 * (an earlier `Last-Event-ID`) reads what it missed from the database first, then takes the feed's
 * events from where that read ended. The log is read from the database, so events written by any
 * process arrive. With JobSignals (Redis), a feed also reads as soon as any process announces its
 * job, and its poll is only the fallback. A feed stops when its job reaches a final state or is
 * deleted, or when its last follower leaves.
 *
 * A database outage (a restart, a failover) does not end the streams: reads are retried with backoff
 * for up to `outageToleranceMs`, and the followers get the events written meanwhile once the
 * database answers again. Only an outage longer than that, or another error, ends them.
 *
 * Cursors are event ids: one job's events get their ids in the order they commit, because each is
 * written with its job's row, under that row's lock.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { JobSignals } from '../cache/job-signals.js';
import { OutageBackoff } from '../db/outage-backoff.js';
import { isFinished, type JobEvent } from '../jobs/model.js';
import { ALL_JOBS, type JobStore } from '../jobs/store.js';

/** Where a follower's events go. */
export interface FeedSink {
  /** Events after the follower's cursor, in id order. */
  events(events: readonly JobEvent[]): void;
  /** No more events: the job reached a final state or is gone (no error), or reading failed. */
  end(error?: unknown): void;
}

export interface JobEventFeedOptions {
  /** Time between reads of a job's log while nothing new arrives. */
  pollMs: number;
  /** Most events read at once; a full page is followed by the next one at once. */
  pageSize: number;
  /** How long reads are retried while the database is unavailable (default one minute). */
  outageToleranceMs?: number;
}

const DEFAULT_OUTAGE_TOLERANCE_MS = 60_000;

const FINAL_EVENT_TYPES = new Set(['completed', 'failed', 'timeout', 'cancelled']);

/** The event that ends a stream: a final type, written with the job in a final status. */
const isFinalEvent = (event: JobEvent) => FINAL_EVENT_TYPES.has(event.type) && isFinished(event.status);

type EventLog = Pick<JobStore, 'listEvents' | 'get'>;

class Follower {
  /** Events the feed delivered while this follower read what it missed, sent once that is done. */
  #held: JobEvent[] | null = null;
  #ended = false;

  constructor(
    /** The id of the last event sent to this follower. */
    public after: number,
    private readonly sink: FeedSink,
    private readonly leave: (follower: Follower) => void,
  ) {}

  get ended(): boolean {
    return this.#ended;
  }

  /** From now on, hold what the feed delivers until `release`. */
  hold(): void {
    this.#held = [];
  }

  /** Sends the held events the follower's own read did not cover. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = null;
    this.send(held);
  }

  deliver(events: readonly JobEvent[]): void {
    if (this.#held) this.#held.push(...events);
    else this.send(events);
  }

  /** Sends the events after the cursor; ends the follower at a final event. */
  send(events: readonly JobEvent[]): void {
    if (this.#ended) return;
    const fresh = events.filter((event) => event.id > this.after);
    if (fresh.length === 0) return;
    this.after = fresh.at(-1)?.id ?? this.after;
    this.sink.events(fresh);
    if (fresh.some(isFinalEvent)) this.end();
  }

  end(error?: unknown): void {
    if (this.quit()) this.sink.end(error);
  }

  /** Stops following without telling the sink (its client left); false when already ended. */
  quit(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.leave(this);
    return true;
  }
}

class Feed {
  readonly followers = new Set<Follower>();
  /** Followers reading what they missed; the feed's end reaches them once they are level. */
  readonly #catchingUp = new Set<Follower>();
  /** The id of the last event this feed read. */
  #cursor: number;
  #timer: NodeJS.Timeout | null = null;
  #reading = false;
  /** An announcement arrived during a read: read again right after it. */
  #readAgain = false;
  #stopped = false;
  readonly #unwatch: () => void;
  readonly #outage: OutageBackoff;

  constructor(
    private readonly jobId: string,
    cursor: number,
    private readonly log: EventLog,
    private readonly options: JobEventFeedOptions,
    signals: JobSignals | null,
    private readonly onStop: (feed: Feed) => void,
  ) {
    this.#cursor = cursor;
    this.#outage = new OutageBackoff(options.outageToleranceMs ?? DEFAULT_OUTAGE_TOLERANCE_MS);
    this.#unwatch = signals?.watch(jobId, () => this.#announced()) ?? (() => undefined);
  }

  /** Another process wrote events for this job: read now rather than at the next poll. */
  #announced(): void {
    if (this.#stopped) return;
    if (this.#reading) this.#readAgain = true;
    else if (this.#timer) {
      clearTimeout(this.#timer);
      this.#schedule(0);
    }
  }

  add(after: number, sink: FeedSink): Follower {
    const follower = new Follower(after, sink, (gone) => this.#remove(gone));
    this.followers.add(follower);
    if (after < this.#cursor) void this.#catchUp(follower);
    if (!this.#reading && this.#timer === null) this.#schedule(0);
    return follower;
  }

  /** Ends every follower, with the error when reading failed. */
  stop(error?: unknown): void {
    if (this.#halt()) for (const follower of [...this.followers]) follower.end(error);
  }

  /** Stops reading and listening, and leaves the feeds; false when already stopped. */
  #halt(): boolean {
    if (this.#stopped) return false;
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#unwatch();
    this.onStop(this);
    return true;
  }

  #remove(follower: Follower): void {
    this.followers.delete(follower);
    if (this.followers.size === 0) this.stop();
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#read();
    }, ms);
  }

  async #read(): Promise<void> {
    this.#reading = true;
    this.#readAgain = false;
    try {
      const events = await this.log.listEvents(this.jobId, this.#cursor, this.options.pageSize);
      this.#outage.reset();
      if (this.#stopped) return;
      if (events.length > 0) {
        this.#cursor = events.at(-1)?.id ?? this.#cursor;
        // A follower ends itself at the final event; the feed stops when the last one has left.
        for (const follower of [...this.followers]) follower.deliver(events);
        return this.#schedule(events.length === this.options.pageSize ? 0 : this.#pause());
      }
      // Nothing new: the stream also ends for a job that is gone, or that ended before the cursor.
      const job = await this.log.get(this.jobId, ALL_JOBS);
      if (this.#stopped) return;
      if (!job) return this.#finish();
      if (isFinished(job.status) && (await this.log.listEvents(this.jobId, this.#cursor, 1)).length === 0)
        return this.#finish();
      this.#schedule(this.#pause());
    } catch (error) {
      // The database away: read again after a pause, keeping every follower.
      const retryMs = this.#outage.next(error);
      if (retryMs === null) this.stop(error);
      else this.#schedule(retryMs);
    } finally {
      this.#reading = false;
    }
  }

  /** Until the next read: none when an announcement came in during this one. */
  #pause(): number {
    return this.#readAgain ? 0 : this.options.pollMs;
  }

  /** Ends the followers that are level with the feed; those still catching up end on their own. */
  #finish(): void {
    if (!this.#halt()) return;
    for (const follower of [...this.followers]) if (!this.#catchingUp.has(follower)) follower.end();
  }

  /** Reads what a follower behind the feed missed, then hands it the events the feed read meanwhile. */
  async #catchUp(follower: Follower): Promise<void> {
    this.#catchingUp.add(follower);
    follower.hold();
    const outage = new OutageBackoff(this.options.outageToleranceMs ?? DEFAULT_OUTAGE_TOLERANCE_MS);
    try {
      for (;;) {
        let events: JobEvent[];
        try {
          events = await this.log.listEvents(this.jobId, follower.after, this.options.pageSize);
          outage.reset();
        } catch (error) {
          const retryMs = outage.next(error);
          if (retryMs === null) throw error;
          await delay(retryMs);
          if (follower.ended) break;
          continue;
        }
        follower.send(events);
        if (follower.ended || events.length < this.options.pageSize) break;
      }
      follower.release();
      this.#catchingUp.delete(follower);
      if (this.#stopped) follower.end();
    } catch (error) {
      this.#catchingUp.delete(follower);
      follower.end(error);
    }
  }
}

export class JobEventFeeds {
  readonly #feeds = new Map<string, Feed>();

  constructor(
    private readonly log: EventLog,
    private readonly options: JobEventFeedOptions = { pollMs: 250, pageSize: 500 },
    private readonly signals: JobSignals | null = null,
  ) {}

  /**
   * Sends `sink` the job's events after `after`, then new ones as they are written, until a final
   * event (or the job's end or deletion) ends it. Returns the way to stop following.
   */
  follow(jobId: string, after: number, sink: FeedSink): () => void {
    let feed = this.#feeds.get(jobId);
    if (!feed) {
      feed = new Feed(jobId, after, this.log, this.options, this.signals, (stopped) => {
        if (this.#feeds.get(jobId) === stopped) this.#feeds.delete(jobId);
      });
      this.#feeds.set(jobId, feed);
    }
    const follower = feed.add(after, sink);
    return () => void follower.quit();
  }

  /** Jobs being read, and the clients following them. */
  get counts(): { jobs: number; followers: number } {
    let followers = 0;
    for (const feed of this.#feeds.values()) followers += feed.followers.size;
    return { jobs: this.#feeds.size, followers };
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    for (const feed of [...this.#feeds.values()]) feed.stop();
  }
}
