/**
 * The statistics rollups (migration 0028) against a full recount: after a randomized workload run by
 * two handles at once (claims, completions, failures with and without retries, cancels, manual
 * retries, cleanup, deletes, recovery of expired leases, folds from both handles meanwhile), whole-
 * queue statistics and health (read from the rollups) equal the same figures scanned from the jobs
 * (an owner's scope still scans: every job here is alice's), and the folded rollups equal a rebuild.
 * A second workload takes every other path that moves jobs (dependencies, webhook deliveries,
 * releases, priorities, imports, stale and gone workers' recovery, cleanup by creation time): on
 * SQLite each path writes its own deltas (migration 0032), so one that forgets shows here.
 */
import { describe, expect, it } from 'vitest';
import { ReelqueueError } from '../../src/errors.js';
import { RELATIVE_ERROR } from '../../src/jobs/duration-histogram.js';
import { leaseOf, type JobPriority } from '../../src/jobs/model.js';
import {
  ALL_JOBS,
  ownedBy,
  type HealthMetrics,
  type JobStatistics,
  type JobStore,
} from '../../src/jobs/store.js';
import {
  expireLease,
  rollupTables,
  setFinishedHoursAgo,
  setLastHeartbeatMinutesAgo,
} from '../support/db-fixtures.js';
import { setProcessingTimeSeconds, useConformanceDatabase } from '../support/conformance.js';
import type { TestDatabase } from '../support/test-database.js';

const OWNER = 'alice';
const WINDOWS = [0.5, 1, 5.3, 24, 24 * 7, 720, 5000];
const PRIORITIES: JobPriority[] = ['low', 'normal', 'high', 'urgent'];
const KINDS = ['noop', 'presentation'];

/** A small seeded generator (mulberry32), so a failing run can be replayed from its seed. */
function randomFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Refusals the workload provokes on purpose (a lease lost to a cancel, a job not retryable…). */
async function tolerated(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!(error instanceof ReelqueueError)) throw error;
  }
}

async function jobIds(t: TestDatabase, statuses: readonly string[]): Promise<string[]> {
  const marks = statuses.map(() => '?').join(', ');
  const rows = await t.sql<{ id: string }>(
    {
      sqlite: `SELECT id FROM jobs WHERE status IN (${marks})`,
      postgres: `SELECT id FROM jobs WHERE status IN (${marks})`,
    },
    [...statuses],
  );
  return rows.map((row) => row.id);
}

/** Moves a job's creation `hours` back (to the millisecond: windows start anywhere in an hour). */
async function setCreatedHoursAgo(t: TestDatabase, jobId: string, hours: number): Promise<void> {
  await t.sql(
    {
      sqlite: "UPDATE jobs SET created_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) - ? WHERE id = ?",
      postgres: "UPDATE jobs SET created_at = now() - (? * interval '1 millisecond') WHERE id = ?",
    },
    [Math.round(hours * 3_600_000), jobId],
  );
}

async function foldAll(store: JobStore): Promise<void> {
  while ((await store.foldRollups()) > 0);
}

/** Figures that move with the clock between two reads are compared apart. */
function steady(figures: JobStatistics | HealthMetrics): Record<string, unknown> {
  const { oldestPendingJobAgeMinutes: _age, ...rest } = figures;
  if (!('processingTimeSeconds' in rest)) return rest;
  // Sums of floating-point times in another order may differ in the last digit.
  const { average, ...times } = rest.processingTimeSeconds;
  return {
    ...rest,
    processingTimeSeconds: { ...times, average: average === null ? null : average.toFixed(9) },
  };
}

async function expectRollupsEqualScan(store: JobStore): Promise<void> {
  for (const hours of WINDOWS) {
    const fromRollups = await store.statistics(hours, ALL_JOBS);
    const scanned = await store.statistics(hours, ownedBy(OWNER));
    expect(steady(fromRollups), `statistics over ${hours} h`).toEqual(steady(scanned));
    expect(steady(await store.health(ALL_JOBS, hours))).toEqual(
      steady(await store.health(ownedBy(OWNER), hours)),
    );
  }
  const health = await store.health(ALL_JOBS);
  expect(steady(health)).toEqual(steady(await store.health(ownedBy(OWNER))));
  const age = (await store.health(ownedBy(OWNER))).oldestPendingJobAgeMinutes;
  if (age === null) expect(health.oldestPendingJobAgeMinutes).toBeNull();
  else expect(health.oldestPendingJobAgeMinutes).toBeCloseTo(age, 0);
}

describe('statistics rollups', () => {
  const ctx = useConformanceDatabase();

  it('equal a full recount after a randomized concurrent workload, folded or not, and equal a rebuild', async () => {
    const { t, store, jobs } = ctx();
    const seed = Math.floor(Math.random() * 2 ** 31);
    const random = randomFrom(seed);
    const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
    const second = await t.reopen();
    const stores = [store, second.jobs];
    const newJobs = (count: number) =>
      Array.from({ length: count }, () =>
        jobs.resolve({
          kind: pick(KINDS)!,
          payload: {},
          priority: pick(PRIORITIES)!,
          userId: OWNER,
          maxRetries: Math.floor(random() * 3),
        }),
      );
    const seeded = await store.enqueueMany(newJobs(120));
    for (const { job } of seeded) {
      if (random() < 0.6) await setCreatedHoursAgo(t, job.id, random() * 1000);
    }

    const worker = async (index: number) => {
      const own = stores[index % 2]!;
      for (let round = 0; round < 25; round++) {
        const claimed = await own.claim({ workerId: `w${index}`, kinds: KINDS, limit: 4, leaseSeconds: 30 });
        for (const job of claimed) {
          const lease = leaseOf(job);
          const r = random();
          if (r < 0.4) await tolerated(own.complete(lease, { ok: true }));
          else if (r < 0.6)
            await tolerated(
              own.fail(lease, {
                code: 'FLAKY',
                message: 'try again',
                details: null,
                terminalStatus: 'failed',
                retryAfterSeconds: 0,
              }),
            );
          else if (r < 0.8) {
            const timeout = random() < 0.3;
            await tolerated(
              own.fail(lease, {
                code: timeout ? 'JOB_TIMEOUT' : pick(['TTS_FAILED', 'ENCODE_FAILED'])!,
                message: 'no luck',
                details: null,
                terminalStatus: timeout ? 'timeout' : 'failed',
                retryAfterSeconds: null,
              }),
            );
          } else if (r < 0.88) await tolerated(own.markCancelled(lease, 'asked'));
          // Otherwise the job stays running until the operator recovers it.
        }
      }
    };
    const operator = async () => {
      for (let round = 0; round < 40; round++) {
        const own = stores[round % 2]!;
        const r = random();
        if (r < 0.15) await own.enqueueMany(newJobs(1 + Math.floor(random() * 5)));
        else if (r < 0.3) {
          const id = pick(await jobIds(t, ['pending', 'running']));
          if (id) await tolerated(own.cancel(id, 'operator', ALL_JOBS));
        } else if (r < 0.45) {
          const id = pick(await jobIds(t, ['completed', 'failed', 'cancelled', 'timeout']));
          if (id) await tolerated(own.retry(id, { force: random() < 0.5 }, ALL_JOBS));
        } else if (r < 0.55) {
          const id = pick(await jobIds(t, ['completed', 'failed', 'cancelled', 'timeout']));
          if (id) {
            await setFinishedHoursAgo(t, id, 48);
            await own.cleanup(24, ALL_JOBS);
          }
        } else if (r < 0.65) {
          const id = pick(await jobIds(t, ['completed', 'failed', 'cancelled', 'timeout']));
          if (id) await tolerated(own.deleteJob(id, ALL_JOBS));
        } else if (r < 0.8) {
          const id = pick(await jobIds(t, ['running']));
          if (id) await expireLease(t, id);
          await own.recoverExpiredLeases();
        } else if (r < 0.9) {
          const id = pick(await jobIds(t, ['completed']));
          if (id) await setProcessingTimeSeconds(t, id, Math.round(random() * 60_000) / 100);
        } else {
          const id = pick(await jobIds(t, ['pending', 'completed', 'failed']));
          if (id) await setCreatedHoursAgo(t, id, random() * 800);
        }
      }
    };
    let working = true;
    // Each round gives the event loop a turn: SQLite's fold settles without one, and a cleanup
    // waits for one between its batches (setImmediate), so a fold loop of promises alone starves it.
    const folder = async () => {
      for (let round = 0; working; round++) {
        await stores[round % 2]!.foldRollups();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    const folding = folder();
    try {
      await Promise.all([worker(0), worker(1), worker(2), operator()]);
    } finally {
      working = false;
      await folding;
    }

    const context = `seed ${seed}`;
    expect((await jobIds(t, ['completed'])).length, context).toBeGreaterThan(0);
    await expectRollupsEqualScan(store);
    await foldAll(store);
    await expectRollupsEqualScan(store);
    const folded = await rollupTables(t);
    expect(folded.length, context).toBeGreaterThan(0);
    await store.rebuildRollups();
    await foldAll(store);
    expect(await rollupTables(t), context).toEqual(folded);
    await expectRollupsEqualScan(store);
  });

  it('equal a recount after every other path that moves jobs, and equal a rebuild', async () => {
    const { t, store, jobs } = ctx();
    const enqueue = async (extra: Partial<Parameters<typeof jobs.resolve>[0]> = {}) =>
      (await store.enqueue(jobs.resolve({ kind: 'noop', payload: {}, userId: OWNER, ...extra }))).job;
    const claimAll = (workerId = 'w') =>
      store.claim({ workerId, kinds: ['noop'], limit: 100, leaseSeconds: 30 });
    const failure = (retryAfterSeconds: number | null) => ({
      code: 'HANDLER_FAILED',
      message: 'the handler threw',
      details: null,
      terminalStatus: 'failed' as const,
      retryAfterSeconds,
    });

    // A failed job, then a child queued after it: it ends failed at once.
    const doomedEarly = await enqueue();
    await store.fail(leaseOf((await claimAll())[0]!), failure(null));
    await enqueue({ dependsOn: [doomedEarly.id] });

    const parentA = await enqueue();
    const parentB = await enqueue({ priority: 'low' });
    await store.changePriority(parentB.id, 'high', ALL_JOBS);
    const withHook = await enqueue({ payload: { webhook_url: 'http://127.0.0.1:9/hook' } });
    await enqueue({ dependsOn: [parentA.id] });
    const failing = await enqueue({ dependsOn: [parentB.id], onParentFailure: 'fail' });
    await enqueue({ dependsOn: [parentB.id], onParentFailure: 'cancel' });
    await enqueue({ dependsOn: [parentB.id], onParentFailure: 'run' });
    await enqueue({ dependsOn: [failing.id] });
    await enqueue({ dependsOn: [parentA.id, parentB.id] });
    const waitingCancelled = await enqueue({ dependsOn: [parentA.id] });
    await store.cancel(waitingCancelled.id, 'not needed', ALL_JOBS);

    const claimed = new Map((await claimAll()).map((job) => [job.id, leaseOf(job)]));
    await store.complete(claimed.get(parentA.id)!, { ok: true });
    await store.fail(claimed.get(parentB.id)!, failure(null));
    await store.complete(claimed.get(withHook.id)!, { ok: true });
    // Parent B retried by hand: its children it failed or cancelled wait again.
    await store.retry(parentB.id, { force: false }, ALL_JOBS);

    // Releases (one asked to stop meanwhile), a failure with a retry asked to stop, a plain retry.
    const more = await Promise.all([enqueue(), enqueue(), enqueue(), enqueue(), enqueue()]);
    const running = (await claimAll()).filter((job) => more.some((m) => m.id === job.id));
    const [released, releasedCancelled, retried, retriedCancelled, stale] = running.map(leaseOf);
    await store.cancel(releasedCancelled!.jobId, 'stop', ALL_JOBS);
    await store.cancel(retriedCancelled!.jobId, 'stop', ALL_JOBS);
    await store.release([released!, releasedCancelled!]);
    await store.fail(retried!, failure(0));
    await store.fail(retriedCancelled!, failure(0));
    await setLastHeartbeatMinutesAgo(t, stale!.jobId, 30);
    await store.recoverStale(5);
    const gone = await enqueue();
    await store.claim({ workerId: 'gone', kinds: ['noop'], limit: 100, leaseSeconds: 30 });
    await store.recoverJobsOfWorkers(['gone']);
    expect((await store.get(gone.id, ALL_JOBS))?.status).toBe('pending');

    // An export, the job deleted, imported back; a cleanup of jobs created long ago.
    const [exported] = await store.exportJobs({ statuses: ['completed'] }, null, 1);
    await store.deleteJob(exported!.job.id, ALL_JOBS);
    expect((await store.importJobs([exported!], 'skip')).imported).toEqual([exported!.job.id]);
    await setCreatedHoursAgo(t, doomedEarly.id, 48);
    expect(await store.cleanup(24, ALL_JOBS, { ageFrom: 'created' })).toBe(1);

    expect(await jobIds(t, ['waiting'])).not.toHaveLength(0);
    expect((await store.list({ kinds: ['webhook'], limit: 10 }, ALL_JOBS)).jobs).toHaveLength(1);
    await expectRollupsEqualScan(store);
    await foldAll(store);
    await expectRollupsEqualScan(store);
    const folded = await rollupTables(t);
    await store.rebuildRollups();
    await foldAll(store);
    expect(await rollupTables(t)).toEqual(folded);
  });

  it('gives processing-time percentiles within the histogram error once a window holds many jobs', async () => {
    const { t, store, jobs } = ctx();
    const count = 1_500;
    await store.enqueueMany(
      Array.from({ length: count }, () => jobs.resolve({ kind: 'noop', userId: OWNER })),
    );
    const claimed = await store.claim({ workerId: 'w', kinds: ['noop'], limit: count, leaseSeconds: 60 });
    await store.completeMany(claimed.map((job) => ({ lease: leaseOf(job), result: {} })));
    await t.sql({
      sqlite: 'UPDATE jobs SET processing_time_seconds = 0.5 + abs(random() % 100000) / 100.0',
      postgres: 'UPDATE jobs SET processing_time_seconds = 0.5 + random() * 1000',
    });
    const exact = (await store.statistics(24, ownedBy(OWNER))).processingTimeSeconds;
    for (const fold of [false, true]) {
      if (fold) await foldAll(store);
      const estimated = (await store.statistics(24, ALL_JOBS)).processingTimeSeconds;
      expect(estimated.count).toBe(count);
      expect(estimated.average).toBeCloseTo(exact.average!, 3);
      for (const key of ['p50', 'p95', 'p99', 'max'] as const) {
        const relative = Math.abs(estimated[key]! - exact[key]!) / exact[key]!;
        expect(relative, key).toBeLessThanOrEqual(RELATIVE_ERROR + 1e-3);
      }
    }
  });

  it('two handles folding at once move each delta into the rollups once', async () => {
    const { t, store, jobs } = ctx();
    const second = await t.reopen();
    await store.enqueueMany(Array.from({ length: 300 }, () => jobs.resolve({ kind: 'noop', userId: OWNER })));
    const claimed = await store.claim({ workerId: 'w', kinds: ['noop'], limit: 200, leaseSeconds: 60 });
    await store.completeMany(claimed.map((job) => ({ lease: leaseOf(job), result: {} })));
    await Promise.all([foldAll(store), foldAll(second.jobs), foldAll(store), foldAll(second.jobs)]);
    await foldAll(store);
    expect(await store.health(ALL_JOBS)).toMatchObject({ total: 300, pending: 100, completed: 200 });
    const folded = await rollupTables(t);
    await store.rebuildRollups();
    await foldAll(store);
    expect(await rollupTables(t)).toEqual(folded);
  });

  it('a rebuild while another handle folds and writes still leaves the rollups equal to a recount', async () => {
    const { t, store, jobs } = ctx();
    const second = await t.reopen();
    await store.enqueueMany(Array.from({ length: 200 }, () => jobs.resolve({ kind: 'noop', userId: OWNER })));
    let working = true;
    const busy = (async () => {
      while (working) {
        const claimed = await second.jobs.claim({
          workerId: 'w',
          kinds: ['noop'],
          limit: 5,
          leaseSeconds: 60,
        });
        if (claimed.length === 0) break;
        await second.jobs.completeMany(claimed.map((job) => ({ lease: leaseOf(job), result: {} })));
        await second.jobs.foldRollups();
      }
    })();
    try {
      for (let round = 0; round < 5; round++) await store.rebuildRollups();
    } finally {
      working = false;
      await busy;
    }
    await foldAll(store);
    await expectRollupsEqualScan(store);
  });
});
