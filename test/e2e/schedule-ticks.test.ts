/**
 * Exactly one job per tick across processes: three real `reelqueue worker` processes, each running
 * a scheduler, share one database and a schedule that ticks every second. One of them is killed
 * with SIGKILL halfway (and replaced). Every tick from the first to the last is queued once: none
 * twice, none missed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const SCHEDULERS = 3;
const TICKS = 24;
const NAME = 'every-second';

describe('a schedule fired by three scheduler processes', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  const processes: WorkerProcess[] = [];

  beforeEach(async () => {
    assertBuilt();
    t = await createTestDatabase();
    app = await createReelqueue(t.config, { logger: silentLogger() });
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop().catch(() => undefined)));
    await app.close();
    await t.cleanup();
  });

  const spawnScheduler = async () => {
    const worker = new WorkerProcess(t.env, ['--concurrency', '4']);
    processes.push(worker);
    // Generous: three Node processes starting at once on a busy 2-core machine.
    await worker.started(90_000);
    return worker;
  };

  /** The ticks queued so far, from the jobs' (schedule, tick) keys, oldest first. */
  const queuedTicks = async (): Promise<string[]> => {
    const rows = await t.sql<{ key: string }>(
      {
        sqlite: 'SELECT idempotency_key AS key FROM jobs WHERE idempotency_key LIKE ?',
        postgres: 'SELECT idempotency_key AS key FROM jobs WHERE idempotency_key LIKE ?',
      },
      [`schedule:${NAME}@%`],
    );
    return rows.map((row) => row.key.slice(`schedule:${NAME}@`.length)).sort();
  };

  it(`queues each of ${TICKS}+ one-second ticks exactly once, a scheduler killed with SIGKILL on the way`, async () => {
    const schedule = await app.schedules.create({
      name: NAME,
      cron: '* * * * * *',
      kind: 'noop',
      catchUp: 'all',
      catchUpLimit: 100,
    });
    const first = schedule.nextRunAt as Date;
    await Promise.all(Array.from({ length: SCHEDULERS }, spawnScheduler));

    await waitFor(async () => (await queuedTicks()).length >= TICKS / 2, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'half the ticks',
    });
    const victim = processes[Math.floor(Math.random() * SCHEDULERS)] as WorkerProcess;
    await victim.killHard();
    processes.splice(processes.indexOf(victim), 1);
    await spawnScheduler();

    await waitFor(async () => (await queuedTicks()).length >= TICKS, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `${TICKS} ticks`,
    });
    await app.schedules.update(NAME, { enabled: false });
    await Promise.all(processes.splice(0).map((p) => p.stop()));

    const ticks = await queuedTicks();
    const last = new Date(ticks.at(-1) as string);
    const expected = Array.from({ length: (last.getTime() - first.getTime()) / 1000 + 1 }, (_, i) =>
      new Date(first.getTime() + i * 1000).toISOString(),
    );
    // Every tick from the schedule's first to the last one queued, each once.
    expect(ticks).toEqual(expected);
    expect(ticks.length).toBeGreaterThanOrEqual(TICKS);
    expect((await app.schedules.get(NAME)).lastRunAt).toEqual(last);
  });
});
