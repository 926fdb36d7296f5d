/**
 * Live progress as server-sent events over real HTTP: a client following a job from its creation, a
 * client replaying a finished job from `Last-Event-ID`, and a client connecting mid-job that gets
 * exactly the events it missed, then the live ones, until the terminal event ends the stream. A
 * stream whose key is revoked, or whose caller may no longer see the job, ends with an error event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FROM_THE_START } from '../../src/jobs/store.js';
import { leaseOf } from '../../src/jobs/model.js';
import { createJob, SseClient, type SseEvent } from '../support/api-helpers.js';
import { waitFor } from '../support/wait.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';

describe('HTTP API: job events as server-sent events', () => {
  let api: ApiHarness;
  let alice: TestUser;
  /** The job rendered by the live test, replayed by the next ones. */
  let renderedId: string;

  beforeAll(async () => {
    // No worker of the service's own: each test decides who runs its job.
    api = await startApi({}, { workers: 0 });
    alice = await api.createUser();
  });
  afterAll(() => api.close());

  const eventsPath = (id: string) => `/api/presentations/jobs/${id}/events`;
  const follow = (id: string, headers: Record<string, string> = {}, query = '') =>
    SseClient.open(api, alice, `${eventsPath(id)}${query}`, headers);
  const ids = (events: SseEvent[]) => events.map((event) => event.id);

  function expectWellFormed(events: SseEvent[], jobId: string): void {
    for (const [i, event] of events.entries()) {
      expect(event.event).toBe(event.data.type);
      expect(event.data).toMatchObject({ id: event.id, job_id: jobId });
      if (i > 0) expect(event.id).toBeGreaterThan(events[i - 1]?.id ?? Infinity);
    }
  }

  it('streams a job live from its creation to its terminal event, then ends the stream', async () => {
    const job = await createJob(api, alice, TINY_LESSON);
    renderedId = job.id;
    const client = await follow(job.id);
    const first = await client.next();
    expect(first?.event).toBe('created');
    // Read from the job, not stored: event 0, first in every job's log.
    expect(first?.id).toBe(0);

    // The job starts only now, while the client is connected: what follows arrives live.
    const worker = api.app.createWorker();
    worker.start();
    try {
      const live = await client.rest();
      const all = [first as SseEvent, ...live];
      expectWellFormed(all, job.id);
      expect(all.map((e) => e.event)).toEqual(expect.arrayContaining(['started', 'progress', 'completed']));
      expect(all.at(-1)?.data).toMatchObject({ type: 'completed', status: 'completed', progress: 100 });
      // Each event names its attempt and the worker that wrote it (the dashboard's attempts list).
      const started = all.find((e) => e.event === 'started');
      expect(started?.data).toMatchObject({ attempt: 1, worker_id: worker.id });
      expect(first?.data).toMatchObject({ attempt: 0, worker_id: null });

      // What was streamed is the job's whole event log, in order.
      const log = await api.app.jobs.listEvents(job.id, FROM_THE_START, 1000);
      expect(ids(all)).toEqual(log.map((event) => event.id));
    } finally {
      await worker.stop();
    }
  });

  it('replays exactly the events after Last-Event-ID for a finished job, then ends', async () => {
    const full = await (await follow(renderedId)).rest();
    expect(full.length).toBeGreaterThanOrEqual(4);
    const middle = full[Math.floor(full.length / 2)]?.id ?? 0;
    const expected = full.filter((event) => event.id > middle);

    const resumed = await (await follow(renderedId, { 'last-event-id': String(middle) })).rest();
    expect(resumed).toEqual(expected);
    const byQuery = await (await follow(renderedId, {}, `?after=${middle}`)).rest();
    expect(byQuery).toEqual(expected);
    // The header wins over the query, as a reconnecting EventSource sends it.
    const both = await (await follow(renderedId, { 'last-event-id': String(middle) }, '?after=0')).rest();
    expect(both).toEqual(expected);

    const last = full.at(-1)?.id ?? 0;
    expect(await (await follow(renderedId, { 'last-event-id': String(last) })).rest()).toEqual([]);

    // A client that saw only the `created` event (id 0) resumes after it, not with it again.
    expect(full[0]).toMatchObject({ id: 0, event: 'created' });
    expect(await (await follow(renderedId, { 'last-event-id': '0' })).rest()).toEqual(full.slice(1));
  });

  it('gives a client that connects mid-job the events it missed, then live ones, until the terminal event', async () => {
    const job = await createJob(api, alice, { ...TINY_LESSON, priority: 'urgent' });
    // This test is the worker, so it knows exactly which events exist when the client connects.
    const [claimed] = await api.app.jobs.claim({
      workerId: 'sse-test-worker',
      kinds: ['presentation'],
      limit: 1,
      leaseSeconds: 60,
    });
    expect(claimed?.id).toBe(job.id);
    const lease = leaseOf(claimed!);
    for (const progress of [10, 20, 30])
      await api.app.jobs.reportProgress(lease, { progress, stage: 'render', message: `at ${progress}` });
    const before = await api.app.jobs.listEvents(job.id, FROM_THE_START, 100);
    expect(before.map((e) => e.type)).toEqual(['created', 'started', 'progress', 'progress', 'progress']);

    // The client saw `created` and `started` before it lost the connection.
    const client = await follow(job.id, { 'last-event-id': String(before[1]?.id) });
    const missed: SseEvent[] = [];
    for (let i = 0; i < 3; i++) missed.push((await client.next()) as SseEvent);
    expect(ids(missed)).toEqual(before.slice(2).map((e) => e.id));
    expect(missed.map((e) => e.data.progress)).toEqual([10, 20, 30]);

    await api.app.jobs.reportProgress(lease, { progress: 60, stage: 'encode', message: 'at 60' });
    const live = await client.next();
    expect(live?.data).toMatchObject({ type: 'progress', progress: 60, stage: 'encode' });
    expect(live?.id).toBeGreaterThan(missed.at(-1)?.id ?? Infinity);

    await api.app.jobs.complete(lease, { presentation_id: job.id });
    const terminal = await client.next();
    expect(terminal?.data).toMatchObject({ type: 'completed', status: 'completed' });
    expect(await client.next()).toBeNull();

    const log = await api.app.jobs.listEvents(job.id, FROM_THE_START, 100);
    expect(ids([...missed, live as SseEvent, terminal as SseEvent])).toEqual(log.slice(2).map((e) => e.id));
  });

  it('ends the stream of a pending job with its cancelled event when it is cancelled', async () => {
    const job = await createJob(api, alice, TINY_LESSON);
    const client = await follow(job.id);
    expect((await client.next())?.event).toBe('created');
    const cancel = await api.call(alice, 'POST', `/api/presentations/jobs/${job.id}/cancel`, {
      reason: 'changed my mind',
    });
    expect(cancel.status).toBe(200);
    const rest = await client.rest();
    expect(rest.map((e) => e.event)).toEqual(['cancelled']);
    expect(rest[0]?.data).toMatchObject({ status: 'cancelled' });
  });

  it('serves the clients following one job from one read of its log, and lets go when they leave', async () => {
    const job = await createJob(api, alice, TINY_LESSON);
    const gauge = async (name: string) => {
      const text = await (await api.call(null, 'GET', '/metrics')).text();
      return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    };
    const clients = [await follow(job.id), await follow(job.id), await follow(job.id)];
    for (const client of clients) expect((await client.next())?.event).toBe('created');
    expect(await gauge('reelqueue_event_streams')).toBe(3);
    expect(await gauge('reelqueue_event_stream_jobs')).toBe(1);

    await clients[0]?.close();
    await waitFor(async () => (await gauge('reelqueue_event_streams')) === 2, {
      what: 'the first client to be let go',
    });
    expect(await gauge('reelqueue_event_stream_jobs')).toBe(1);

    const cancel = await api.call(alice, 'POST', `/api/presentations/jobs/${job.id}/cancel`, {});
    expect(cancel.status).toBe(200);
    for (const client of clients.slice(1))
      expect((await client.rest()).map((e) => e.event)).toEqual(['cancelled']);
    await waitFor(async () => (await gauge('reelqueue_event_stream_jobs')) === 0, {
      what: 'the feed to stop',
    });
    expect(await gauge('reelqueue_event_streams')).toBe(0);
  });

  it('ends the stream with an UNAUTHORIZED error event when its key is revoked meanwhile', async () => {
    const created = await api.call(api.admin, 'POST', '/api/admin/users', {});
    expect(created.status).toBe(201);
    const { user, key } = (await created.json()) as {
      user: { id: string };
      key: { id: string; key: string };
    };
    const bob: TestUser = { id: user.id, key: key.key, walletAddress: null };
    const job = await createJob(api, bob, TINY_LESSON);
    const client = await SseClient.open(api, bob, eventsPath(job.id));
    expect((await client.next())?.event).toBe('created');

    const revoked = await api.call(api.admin, 'DELETE', `/api/admin/keys/${key.id}`);
    expect(revoked.status).toBe(200);
    const ending = await client.next();
    expect(ending).toMatchObject({ event: 'error', data: { code: 'UNAUTHORIZED' } });
    expect(await client.next()).toBeNull();
    // The job itself is untouched: only the stream ended.
    const [stored] = await api.t.sql<{ status: string }>({
      sqlite: `SELECT status FROM jobs WHERE id = '${job.id}'`,
      postgres: `SELECT status FROM jobs WHERE id = '${job.id}'`,
    });
    expect(stored?.status).toBe('pending');
  });

  it("ends an admin's stream of another user's job with FORBIDDEN once the admin is made a user", async () => {
    const operator = await api.app.database.users.createUser({ role: 'admin' });
    const { key } = await api.app.database.users.createKey(operator.id, 'test');
    const job = await createJob(api, alice, TINY_LESSON);
    const client = await SseClient.open(
      api,
      { id: operator.id, key, walletAddress: null },
      eventsPath(job.id),
    );
    expect((await client.next())?.event).toBe('created');

    // No route demotes an admin: an operator does it in the database, and the key's revision moves.
    await api.t.sql({
      sqlite: `UPDATE users SET role = 'user' WHERE id = '${operator.id}'`,
      postgres: `UPDATE users SET role = 'user' WHERE id = '${operator.id}'`,
    });
    expect(await client.next()).toMatchObject({ event: 'error', data: { code: 'FORBIDDEN' } });
    expect(await client.next()).toBeNull();
  });
});
