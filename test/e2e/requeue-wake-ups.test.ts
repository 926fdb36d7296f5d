/**
 * Issue 29: every wake-up PostgreSQL sends for jobs that go back to the queue says how many, of
 * which kind (`a:<count>:<kind>`, one per kind), as an enqueue's does: a release by a stopping
 * worker, the recovery of a lost worker's jobs, a job back from waiting on jobs it started. An
 * uncounted `a` (what they sent before) is answered by every idle worker of a fleet with a claim;
 * a counted one by a few (the wake-up lottery), and by none that do not handle its kind.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { notifyChannel } from '../../src/db/postgres/listener.js';
import type { JobKind } from '../../src/jobs/kinds.js';
import { leaseOf, type Job } from '../../src/jobs/model.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, DIALECT, POSTGRES_URL, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const other: JobKind = { name: 'other', parsePayload: () => ({}), run: () => Promise.resolve({}) };

describe.runIf(DIALECT === 'postgres')('wake-ups for jobs back in the queue (PostgreSQL)', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  let listener: pg.Client;
  let heard: string[];

  beforeEach(async () => {
    t = await createTestDatabase();
    app = await createReelqueue(t.config, { logger: silentLogger(), kinds: [other] });
    heard = [];
    listener = new pg.Client({ connectionString: POSTGRES_URL });
    await listener.connect();
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    await listener.query(`LISTEN ${listener.escapeIdentifier(notifyChannel(t.env.DATABASE_SCHEMA!))}`);
  });

  afterEach(async () => {
    await listener.end();
    await app.close();
    await t.cleanup();
  });

  /** Queues `noop` and `other` jobs, claims them all, and forgets the wake-ups heard so far. */
  async function claimed(noop: number, others: number, leaseSeconds = 30): Promise<Job[]> {
    await app.enqueueMany([
      ...Array.from({ length: noop }, () => ({ kind: 'noop' })),
      ...Array.from({ length: others }, () => ({ kind: 'other' })),
    ]);
    const jobs = await app.jobs.claim({
      workerId: 'w1',
      kinds: ['noop', 'other'],
      limit: noop + others,
      leaseSeconds,
    });
    expect(jobs).toHaveLength(noop + others);
    await wakeUps();
    heard.length = 0;
    return jobs;
  }

  /**
   * The wake-ups heard before a probe sent now: PostgreSQL delivers notifications in commit order,
   * so every wake-up of a write that returned comes before it.
   */
  async function wakeUps(): Promise<string[]> {
    await listener.query(`SELECT pg_notify($1, 'probe')`, [notifyChannel(t.env.DATABASE_SCHEMA!)]);
    await waitFor(() => heard.includes('probe'), { what: 'the probe' });
    return heard.slice(0, heard.indexOf('probe')).sort();
  }

  it('a release says how many jobs of each kind went back', async () => {
    const jobs = await claimed(3, 2);
    await app.jobs.release(jobs.map(leaseOf));
    expect(await wakeUps()).toEqual(['a:2:other', 'a:3:noop']);
  });

  it('a recovery of expired leases says how many jobs of each kind went back', async () => {
    const jobs = await claimed(2, 1, 0.2);
    await waitFor(
      async () => {
        const { requeued } = await app.jobs.recoverExpiredLeases();
        return requeued.length > 0 || heard.length > 0;
      },
      { what: 'the leases to expire and the jobs to be recovered' },
    );
    expect(jobs).toHaveLength(3);
    expect(await wakeUps()).toEqual(['a:1:other', 'a:2:noop']);
  });

  it('a job back from waiting on jobs that already ended says it is one of its kind', async () => {
    const [parent] = await app.enqueueMany([{ kind: 'other' }]);
    const [done] = await app.jobs.claim({ workerId: 'w0', kinds: ['other'], limit: 1, leaseSeconds: 30 });
    expect(done?.id).toBe(parent?.job.id);
    await app.jobs.completeMany([{ lease: leaseOf(done!), result: {} }]);
    const [job] = await claimed(1, 0);
    const parked = await app.jobs.waitForJobs(leaseOf(job!), [done!.id], 'Waiting for my parts');
    expect(parked.status).toBe('pending');
    expect(await wakeUps()).toEqual(['a:1:noop']);
  });

  it('a recovery that finds nothing sends no wake-up', async () => {
    await claimed(1, 0);
    await app.jobs.recoverExpiredLeases();
    expect(await wakeUps()).toEqual([]);
  });
});
