/**
 * Every path that makes a job claimable wakes an idle worker (issue 29), not only an enqueue: a
 * child readied by its parent's completion or failure, a webhook delivery a finished job queued, a
 * schedule's tick, a retry whose delay elapsed and a job queued with a `run_at` ahead. The workers
 * poll every ten minutes, so only a wake-up gets a job done within the test's deadline. Each path
 * runs with WAKE_UPS=redis (no LISTEN session: Redis pub/sub) and with the default (LISTEN/NOTIFY on
 * PostgreSQL, the in-process signal and wake file on SQLite). Two apps on one database stand for two
 * processes: the one whose write readies the job handles other kinds than the one that must run it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { loadConfig, type SettingsInput } from '../../src/config.js';
import { ReelqueueError } from '../../src/errors.js';
import type { JobKind } from '../../src/jobs/kinds.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import type { Worker } from '../../src/jobs/worker.js';
import type { Scheduler } from '../../src/schedules/scheduler.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { hearing } from '../support/hearing.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Far beyond the test's deadline: a job done within it was woken for. */
const POLL_INTERVAL_MS = 600_000;
const DEADLINE_MS = 10_000;

const anyPayload = (input: unknown) =>
  typeof input === 'object' && input !== null ? (input as Record<string, never>) : {};

/** A kind that completes at once and takes any payload. */
const done = (name: string): JobKind => ({ name, parsePayload: anyPayload, run: () => Promise.resolve({}) });

/** Fails every attempt, for good. */
const broken: JobKind = {
  name: 'broken',
  parsePayload: anyPayload,
  run: () => Promise.reject(new ReelqueueError('VALIDATION_FAILED', 'broken on purpose')),
};

/** Fails its first attempt (a retry follows after RETRY_DELAYS), completes the next. */
const flaky: JobKind = {
  name: 'flaky',
  parsePayload: anyPayload,
  run: ({ job }) =>
    job.attempt === 1 ? Promise.reject(new Error('first attempt fails')) : Promise.resolve({}),
};

/** No worker handles it: queued only to see that a process hears wake-ups. */
const PROBE = 'probe';

const KINDS = [done('parent'), done('child'), done('webhook'), done('ticked'), done(PROBE), broken, flaky];

const MODES: { name: string; settings: SettingsInput }[] = [
  { name: 'WAKE_UPS=redis', settings: { WAKE_UPS: 'redis', REDIS_URL } },
  { name: 'WAKE_UPS=listen', settings: { WAKE_UPS: 'listen' } },
];

describe.each(MODES)('wake-ups for every path that makes a job claimable ($name)', ({ settings }) => {
  let t: TestDatabase | undefined;
  const apps: Reelqueue[] = [];
  const workers: Worker[] = [];
  const schedulers: Scheduler[] = [];

  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
    await Promise.all(workers.splice(0).map((worker) => worker.stop(0)));
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await t?.cleanup();
    t = undefined;
  });

  /** A process on the test's database with these settings; a worker of `kinds` if any. */
  async function startProcess(kinds: readonly string[], extra: SettingsInput = {}): Promise<Reelqueue> {
    t ??= await createTestDatabase();
    const app = await createReelqueue(
      loadConfig(
        {},
        {
          ...t.env,
          LOG_LEVEL: 'silent',
          POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
          ...settings,
          ...extra,
        },
      ),
      { logger: silentLogger(), kinds: KINDS, defaultKinds: false },
    );
    apps.push(app);
    if (kinds.length > 0) startWorker(app, kinds);
    return app;
  }

  function startWorker(app: Reelqueue, kinds: readonly string[]): void {
    const worker = app.createWorker({ concurrency: 2, kinds });
    workers.push(worker);
    worker.start();
  }

  const finished = (app: Reelqueue, id: string, what: string) =>
    waitFor(async () => (await app.jobs.get(id, ALL_JOBS))?.status === 'completed', {
      what,
      timeoutMs: DEADLINE_MS,
    });

  it('a child its parent’s completion readied', async () => {
    const parents = await startProcess([]);
    const children = await startProcess(['child']);
    await hearing(children, parents, PROBE);
    const { job: parent } = await parents.enqueue({ kind: 'parent' });
    const { job: child } = await parents.enqueue({ kind: 'child', dependsOn: [parent.id] });
    expect(child.status).toBe('waiting');
    // Started after the child was queued: its parent's completion readies it.
    startWorker(parents, ['parent']);
    await finished(children, child.id, 'the child to run after its parent completed');
  });

  it('a child its parent’s failure readied (on_parent_failure=run)', async () => {
    const parents = await startProcess([]);
    const children = await startProcess(['child']);
    await hearing(children, parents, PROBE);
    const { job: parent } = await parents.enqueue({ kind: 'broken', maxRetries: 0 });
    const { job: child } = await parents.enqueue({
      kind: 'child',
      dependsOn: [parent.id],
      onParentFailure: 'run',
    });
    expect(child.status).toBe('waiting');
    startWorker(parents, ['broken']);
    await finished(children, child.id, 'the child to run after its parent failed');
  });

  it('a webhook delivery a finished job queued', async () => {
    const jobs = await startProcess(['parent']);
    const deliveries = await startProcess(['webhook']);
    await hearing(deliveries, jobs, PROBE);
    const { job } = await jobs.enqueue({
      kind: 'parent',
      payload: { webhook_url: 'http://127.0.0.1:1/hook' },
    });
    await waitFor(
      async () => {
        const rows = await t!.sql<{ status: string }>(
          {
            sqlite: `SELECT status FROM jobs WHERE kind = 'webhook' AND json_extract(payload, '$.job_id') = ?`,
            postgres: `SELECT status FROM jobs WHERE kind = 'webhook' AND payload ->> 'job_id' = ?`,
          },
          [job.id],
        );
        return rows[0]?.status === 'completed';
      },
      { what: 'the webhook delivery to run', timeoutMs: DEADLINE_MS },
    );
  });

  it('a schedule’s tick', async () => {
    const ticking = await startProcess([]);
    const runner = await startProcess(['ticked']);
    await hearing(runner, ticking, PROBE);
    await ticking.schedules.create({ name: 'each-second', cron: '* * * * * *', kind: 'ticked' });
    const scheduler = ticking.createScheduler();
    schedulers.push(scheduler);
    scheduler.start();
    await waitFor(
      async () => {
        const rows = await t!.sql<{ n: number }>({
          sqlite: `SELECT count(*) AS n FROM jobs WHERE kind = 'ticked' AND status = 'completed'`,
          postgres: `SELECT count(*)::int AS n FROM jobs WHERE kind = 'ticked' AND status = 'completed'`,
        });
        return (rows[0]?.n ?? 0) >= 2;
      },
      { what: 'two ticks to run', timeoutMs: DEADLINE_MS },
    );
  });

  it('a lone worker hears each wake-up once: answering never teaches it to answer less', async () => {
    // A wake-up heard twice (over Redis and through SQLite's own signal) makes the second answer
    // find nothing, and the lottery would count it as a loss to another worker: the lone worker's
    // chance would fall and a later wake-up (a retry falling due) go unanswered.
    const app = await startProcess(['child']);
    await hearing(app, app, PROBE);
    for (let i = 0; i < 8; i++) {
      const { job } = await app.enqueue({ kind: 'child' });
      await finished(app, job.id, `job ${i + 1} to run`);
    }
    expect(workers.map((worker) => worker.wakeUpChance)).toEqual([1]);
  });

  it('a retry whose delay elapsed', async () => {
    const app = await startProcess(['flaky'], { RETRY_DELAYS: '1', RETRY_JITTER: '0' });
    await hearing(app, app, PROBE);
    const { job } = await app.enqueue({ kind: 'flaky', maxRetries: 1 });
    await finished(app, job.id, 'the retry to run once its delay elapsed');
    expect((await app.jobs.get(job.id, ALL_JOBS))?.attempt).toBe(2);
  });

  it('a job queued with a run_at ahead, when it falls due', async () => {
    const api = await startProcess([]);
    const runner = await startProcess(['child']);
    await hearing(runner, api, PROBE);
    const { job } = await api.enqueue({ kind: 'child', runAt: new Date(Date.now() + 1000) });
    await finished(runner, job.id, 'the job to run once its run_at passed');
  });
});
