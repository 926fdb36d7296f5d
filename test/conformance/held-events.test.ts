/**
 * A job's `started` and `completed` events are read from its row (PostgreSQL migration 0017, SQLite
 * 0034) under ids reserved from the events' counter: a run stores no event row, the log reads the
 * same as when they were stored, and a stream resumed after any id sees the rest once, in order.
 */
import { describe, expect, it } from 'vitest';
import { leaseOf } from '../../src/jobs/model.js';
import { FROM_THE_START } from '../../src/jobs/store.js';
import { makeRunnableNow } from '../support/db-fixtures.js';
import { eventCount, useConformanceDatabase } from '../support/conformance.js';

describe('started and completed events held by the job', () => {
  const ctx = useConformanceDatabase();

  it('a claim and a completion store no event rows; the log still reads created, started, completed', async () => {
    const { t, store, jobs } = ctx();
    const { job, lease } = await jobs.running();
    await store.completeMany([{ lease, result: { ok: true } }]);
    expect(await eventCount(t, job.id)).toBe(0);
    const events = await store.listEvents(job.id, FROM_THE_START, 10);
    expect(events.map((event) => event.type)).toEqual(['created', 'started', 'completed']);
    expect(events[1]).toMatchObject({ status: 'running', progress: 0, message: 'Started', attempt: 1 });
    expect(events[1]?.workerId).toBe(lease.workerId);
    expect(events[2]).toMatchObject({ status: 'completed', progress: 100, message: 'Completed', attempt: 1 });
    expect(events[1]!.id).toBeGreaterThan(0);
    expect(events[2]!.id).toBeGreaterThan(events[1]!.id);
  });

  it('a retried attempt keeps its started event in place; resuming after any id reads the rest once', async () => {
    const { t, store, jobs } = ctx();
    const { job, lease } = await jobs.running();
    await store.reportProgress(lease, { progress: 30, stage: 'tts', message: 'Narrating' });
    await store.fail(lease, {
      code: 'HANDLER_FAILED',
      message: 'boom',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: 0,
    });
    await makeRunnableNow(t, job.id);
    // Jobs claimed and completed meanwhile take ids between this job's events.
    await jobs.completed();
    const [again] = await store.claim({
      workerId: 'worker-b',
      kinds: [job.kind],
      limit: 1,
      leaseSeconds: 30,
    });
    expect(again?.id).toBe(job.id);
    await jobs.completed();
    await store.reportProgress(leaseOf(again!), { progress: 60, stage: 'encode', message: 'Encoding' });
    await store.complete(leaseOf(again!), { ok: true });

    const events = await store.listEvents(job.id, FROM_THE_START, 20);
    expect(events.map((event) => [event.type, event.attempt])).toEqual([
      ['created', 0],
      ['started', 1],
      ['progress', 1],
      ['retry_scheduled', 1],
      ['started', 2],
      ['progress', 2],
      ['completed', 2],
    ]);
    expect(events[1]?.workerId).toBe(lease.workerId);
    expect(events[4]?.workerId).toBe('worker-b');
    const ids = events.map((event) => event.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [index, id] of ids.entries()) {
      expect(await store.listEvents(job.id, id, 20)).toEqual(events.slice(index + 1));
    }
    // Stored: the first attempt's `started` event (since its retry), the two progress events and the
    // retry; the second attempt's `started` and `completed` events are still read from the job.
    expect(await eventCount(t, job.id)).toBe(4);
  });
});
