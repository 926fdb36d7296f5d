/**
 * The shared event feeds behind the SSE route, on a real store: clients following one job share one
 * read of its log, each gets every event after its own cursor exactly once and in order, and each
 * stream ends at the job's final event, at its deletion, or when reading fails.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { JobEventFeeds } from '../../src/api/job-event-feeds.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { setFinishedHoursAgo } from '../support/db-fixtures.js';
import { RecordingSink } from '../support/recording-sink.js';
import { waitFor } from '../support/wait.js';

describe('job event feeds (shared reads for server-sent events)', () => {
  const ctx = useConformanceDatabase();

  const feedsFor = (store: ConstructorParameters<typeof JobEventFeeds>[0]) => {
    const feeds = new JobEventFeeds(store, { pollMs: 20, pageSize: 3 });
    onTestFinished(() => feeds.close());
    return feeds;
  };

  it('gives every client of a job each event once, in order, from one feed, and ends them all at the final event', async () => {
    const { store, jobs } = ctx();
    const feeds = feedsFor(store);
    const { job, lease } = await jobs.running();
    const sinks = [new RecordingSink(), new RecordingSink(), new RecordingSink()];
    for (const sink of sinks) feeds.follow(job.id, FROM_THE_START, sink);
    expect(feeds.counts).toEqual({ jobs: 1, followers: 3 });

    await waitFor(() => sinks.every((sink) => sink.received.some((e) => e.type === 'started')), {
      what: 'the started event at every client',
    });
    // More events than a page, written while the clients follow.
    for (const progress of [10, 20, 30, 40, 50])
      await store.reportProgress(lease, { progress, stage: 'speech', message: `at ${progress}` });
    await store.complete(lease, { ok: true });
    await waitFor(() => sinks.every((sink) => sink.isEnded), { what: 'every stream to end' });

    const log = await store.listEvents(job.id, FROM_THE_START, 100);
    expect(log.at(-1)?.type).toBe('completed');
    for (const sink of sinks) {
      expect(sink.error).toBeUndefined();
      expect(sink.ids).toEqual(log.map((event) => event.id));
    }
    expect(feeds.counts).toEqual({ jobs: 0, followers: 0 });
  });

  it('gives a client that joins behind the feed what it missed, then the feed’s events, with no gap and no repeat', async () => {
    const { store, jobs } = ctx();
    const feeds = feedsFor(store);
    const { job, lease } = await jobs.running();
    const early = new RecordingSink();
    feeds.follow(job.id, FROM_THE_START, early);
    for (const progress of [10, 20, 30, 40])
      await store.reportProgress(lease, { progress, stage: 'slides', message: `at ${progress}` });
    await waitFor(() => early.received.some((e) => e.progress === 40), {
      what: 'the early client to be level',
    });

    // Joins from the start while the feed is six events in: it must read those itself.
    const late = new RecordingSink();
    feeds.follow(job.id, FROM_THE_START, late);
    // And one that resumes from the third event, as a reconnecting EventSource does.
    const third = early.ids[2] ?? 0;
    const resumed = new RecordingSink();
    feeds.follow(job.id, third, resumed);
    expect(feeds.counts).toEqual({ jobs: 1, followers: 3 });

    for (const progress of [60, 80])
      await store.reportProgress(lease, { progress, stage: 'video', message: `at ${progress}` });
    await store.complete(lease, { ok: true });
    await waitFor(() => [early, late, resumed].every((sink) => sink.isEnded), {
      what: 'every stream to end',
    });

    const log = (await store.listEvents(job.id, FROM_THE_START, 100)).map((event) => event.id);
    expect(early.ids).toEqual(log);
    expect(late.ids).toEqual(log);
    expect(resumed.ids).toEqual(log.filter((id) => id > third));
  });

  it('ends at once, with nothing, a client whose cursor is past a finished job’s last event', async () => {
    const { store, jobs } = ctx();
    const feeds = feedsFor(store);
    const done = await jobs.completed();
    const last = (await store.listEvents(done.id, FROM_THE_START, 100)).at(-1)?.id ?? 0;
    const sink = new RecordingSink();
    feeds.follow(done.id, last, sink);
    await waitFor(() => sink.isEnded, { what: 'the stream to end' });
    expect(sink.received).toEqual([]);
    expect(sink.error).toBeUndefined();
  });

  it('ends the clients of a job that was deleted', async () => {
    const { t, store, jobs } = ctx();
    const feeds = feedsFor(store);
    const done = await jobs.completed();
    await setFinishedHoursAgo(t, done.id, 2);
    expect(await store.cleanup(1, ALL_JOBS)).toBe(1);
    const sink = new RecordingSink();
    feeds.follow(done.id, FROM_THE_START, sink);
    await waitFor(() => sink.isEnded, { what: 'the stream to end' });
    expect(sink.received).toEqual([]);
    expect(sink.error).toBeUndefined();
  });

  it('keeps reading for the clients that stay when one leaves, and stops when the last one leaves', async () => {
    const { store, jobs } = ctx();
    const feeds = feedsFor(store);
    const { job, lease } = await jobs.running();
    const leaving = new RecordingSink();
    const staying = new RecordingSink();
    const leave = feeds.follow(job.id, FROM_THE_START, leaving);
    const leaveToo = feeds.follow(job.id, FROM_THE_START, staying);
    await waitFor(() => leaving.received.length > 0 && staying.received.length > 0, {
      what: 'both clients served',
    });

    leave();
    expect(feeds.counts).toEqual({ jobs: 1, followers: 1 });
    const before = leaving.received.length;
    await store.reportProgress(lease, { progress: 50, stage: 'speech', message: 'half way' });
    await waitFor(() => staying.received.some((e) => e.progress === 50), {
      what: 'the progress at the client that stayed',
    });
    expect(leaving.received).toHaveLength(before);
    expect(leaving.isEnded).toBe(false);

    leaveToo();
    expect(feeds.counts).toEqual({ jobs: 0, followers: 0 });
  });

  it('ends its clients with the error when reading the log fails', async () => {
    const { t, jobs } = ctx();
    const { job } = await jobs.running();
    const other = await t.reopen();
    const feeds = feedsFor(other.jobs);
    const sink = new RecordingSink();
    feeds.follow(job.id, FROM_THE_START, sink);
    await waitFor(() => sink.received.length > 0, { what: 'the first events' });
    await other.close();
    await waitFor(() => sink.isEnded, { what: 'the stream to end' });
    expect(sink.error).toBeInstanceOf(Error);
    expect(feeds.counts).toEqual({ jobs: 0, followers: 0 });
  });
});
