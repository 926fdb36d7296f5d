/** A follower of a job's event feed that records what it is sent and refuses anything after its end. */
import type { FeedSink } from '../../src/api/job-event-feeds.js';
import type { JobEvent } from '../../src/jobs/model.js';

export class RecordingSink implements FeedSink {
  readonly received: JobEvent[] = [];
  error: unknown = undefined;
  isEnded = false;

  events(events: readonly JobEvent[]): void {
    if (this.isEnded) throw new Error('events sent after the end');
    this.received.push(...events);
  }

  end(error?: unknown): void {
    if (this.isEnded) throw new Error('ended twice');
    this.isEnded = true;
    this.error = error;
  }

  get ids(): number[] {
    return this.received.map((event) => event.id);
  }
}
