/**
 * Every enqueue on PostgreSQL wakes the workers of every node. A lone enqueue notifies inside its
 * own transaction; enqueues that overlap in one process notify after their commits, so that they do
 * not commit one after the other behind PostgreSQL's NOTIFY lock.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifyChannel } from '../../src/db/postgres/listener.js';
import type { PostgresJobStore } from '../../src/db/postgres/job-store.js';
import { leaseOf } from '../../src/jobs/model.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { stubKind } from '../support/job-factory.js';
import { DIALECT, POSTGRES_URL } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

describe.runIf(DIALECT === 'postgres')('PostgreSQL wake-ups for new jobs', () => {
  const ctx = useConformanceDatabase();
  let listener: pg.Client;
  let wakeUps: number;
  let payloads: string[];
  let channel: string;

  beforeEach(async () => {
    wakeUps = 0;
    payloads = [];
    listener = new pg.Client({ connectionString: POSTGRES_URL });
    listener.on('notification', (message) => {
      if (message.payload?.startsWith('a')) wakeUps++;
      payloads.push(message.payload ?? '');
    });
    await listener.connect();
    channel = notifyChannel(ctx().t.env.DATABASE_SCHEMA ?? '');
    await listener.query(`LISTEN ${listener.escapeIdentifier(channel)}`);
  });
  afterEach(async () => {
    await listener.end();
  });

  it('wakes the workers for a lone enqueue, and for each of enqueues that overlap', async () => {
    const { store, jobs } = ctx();
    await store.enqueue(jobs.resolve({ kind: 'noop' }));
    await waitFor(() => wakeUps === 1, { what: "the lone enqueue's wake-up" });
    // How many jobs, and their kind: workers decide from them whether to claim.
    expect(payloads).toEqual(['a:1:noop']);

    // Called in the same turn: the first runs alone, the other two overlap it.
    const overlapping = await Promise.all([
      store.enqueue(jobs.resolve({ kind: 'noop' })),
      store.enqueueMany([jobs.resolve({ kind: 'noop' })]).then(([result]) => result!),
      store.enqueue(jobs.resolve({ kind: 'noop', userId: 'u1' }), { activeLimit: 5 }),
    ]);
    expect(overlapping.map((result) => result.created)).toEqual([true, true, true]);
    await (store as PostgresJobStore).wakeUpsSent();
    // One inside the first transaction, at least one after the overlapping commits.
    await waitFor(() => wakeUps >= 3, { what: 'the wake-ups of the overlapping enqueues' });
    // The wake-ups after the commits count the jobs they stand for: 3 jobs in all, whatever the split.
    await waitFor(
      () => payloads.slice(1).reduce((sum, payload) => sum + Number(payload.split(':')[1]), 0) === 3,
      { what: 'three jobs announced' },
    );
  });

  it('sends no wake-up for an enqueue that created nothing', async () => {
    const { store, jobs } = ctx();
    const keyed = () => jobs.resolve({ kind: 'noop', userId: 'u1', idempotencyKey: 'once' });
    await store.enqueue(keyed());
    await waitFor(() => wakeUps === 1, { what: 'the first wake-up' });
    const again = await Promise.all([store.enqueue(keyed()), store.enqueue(keyed())]);
    expect(again.map((result) => result.created)).toEqual([false, false]);
    await (store as PostgresJobStore).wakeUpsSent();
    // A marker sent after them arrives after anything they sent.
    let marker = false;
    listener.on('notification', (message) => {
      if (message.payload === 'marker') marker = true;
    });
    await listener.query(`SELECT pg_notify($1, 'marker')`, [channel]);
    await waitFor(() => marker, { what: 'the marker' });
    expect(wakeUps).toBe(1);
  });

  /** Resolves once everything sent before has arrived: a marker sent after it comes after it. */
  async function heardAllSent(): Promise<void> {
    let marker = false;
    listener.on('notification', (message) => {
      if (message.payload === 'marker') marker = true;
    });
    await listener.query(`SELECT pg_notify($1, 'marker')`, [channel]);
    await waitFor(() => marker, { what: 'the marker' });
  }

  it('counts the children a completion readies, by kind, in one wake-up per kind', async () => {
    const { store, jobs } = ctx();
    jobs.kinds.register(stubKind('kid'));
    jobs.kinds.register(stubKind('other'));
    const { job: parent } = await store.enqueue(jobs.resolve({ kind: 'noop' }));
    for (const kind of ['kid', 'kid', 'other']) {
      await store.enqueue(jobs.resolve({ kind, dependsOn: [parent.id] }));
    }
    await heardAllSent();
    payloads = [];
    const [claimed] = await store.claim({ workerId: 'w', kinds: ['noop'], limit: 1, leaseSeconds: 30 });
    await store.complete(leaseOf(claimed!), {});
    await heardAllSent();
    // Before migration 0033 an uncounted `a`, which every idle worker answers.
    expect(payloads.filter((payload) => payload !== 'marker').sort()).toEqual(['a:1:other', 'a:2:kid']);
  });

  it('counts the webhook deliveries a statement queues, in one wake-up for the transaction', async () => {
    const { store, jobs } = ctx();
    const queued = [];
    for (let i = 0; i < 3; i++) {
      queued.push(
        (
          await store.enqueue(
            jobs.resolve({ kind: 'noop', payload: { webhook_url: 'http://127.0.0.1:9/h' } }),
          )
        ).job,
      );
    }
    await heardAllSent();
    payloads = [];
    // The worker's batched completions: one statement ends all three.
    const claimed = await store.claim({ workerId: 'w', kinds: ['noop'], limit: 3, leaseSeconds: 30 });
    expect(claimed).toHaveLength(3);
    const completed = await store.completeMany(claimed.map((job) => ({ lease: leaseOf(job), result: {} })));
    expect(completed).toEqual([true, true, true]);
    await heardAllSent();
    // Identical notifications of one transaction are delivered once: three `a:1:webhook` would say 1.
    expect(payloads.filter((payload) => payload !== 'marker')).toEqual(['a:3:webhook']);
  });
});
