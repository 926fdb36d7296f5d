/**
 * A worker frozen with SIGSTOP past its lease, then resumed: another worker has finished the job,
 * and every write of the frozen one is refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const settings = {
  LEASE_SECONDS: '1.5',
  HEARTBEAT_SECONDS: '0.3',
  REAPER_INTERVAL_SECONDS: '0.3',
  POLL_INTERVAL_MS: '100',
};

describe('a frozen worker', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  const processes: WorkerProcess[] = [];

  beforeEach(async () => {
    assertBuilt();
    t = await createTestDatabase(settings);
    app = await createReelqueue(t.config, { logger: silentLogger() });
  });

  afterEach(async () => {
    for (const p of processes.splice(0)) {
      p.signal('SIGCONT');
      await p.stop().catch(() => undefined);
    }
    await app.close();
    await t.cleanup();
  });

  it('cannot write anything after another worker took over its job', async () => {
    const frozen = new WorkerProcess({ ...t.env, ...settings });
    processes.push(frozen);
    const frozenId = await frozen.started();
    const { job } = await app.enqueue({ kind: 'sleep', payload: { ms: 4000 }, maxRetries: 3 });
    await waitFor(async () => (await app.jobs.get(job.id, ALL_JOBS))?.workerId === frozenId, {
      what: 'the first worker to claim the job',
    });
    frozen.signal('SIGSTOP');

    const rescuer = new WorkerProcess({ ...t.env, ...settings });
    processes.push(rescuer);
    const rescuerId = await rescuer.started();
    const finished = await waitFor(
      async () => {
        const row = await app.jobs.get(job.id, ALL_JOBS);
        return row?.status === 'completed' ? row : null;
      },
      { timeoutMs: 30_000, what: 'the second worker to finish the job' },
    );
    expect(finished.workerId).toBe(rescuerId);
    expect(finished.attempt).toBe(2);
    const eventsBefore = await app.jobs.listEvents(job.id, FROM_THE_START, 1000);

    frozen.signal('SIGCONT');
    await waitFor(() => frozen.stderrLines.some((line) => line.includes('lost the lease')), {
      what: 'the resumed worker to learn it lost the lease',
    });

    const after = await app.jobs.get(job.id, ALL_JOBS);
    expect(after).toEqual(finished);
    expect(await app.jobs.listEvents(job.id, FROM_THE_START, 1000)).toEqual(eventsBefore);
    const writesByFrozenAfterTakeover = eventsBefore.filter(
      (e) => e.workerId === frozenId && e.attempt === 2,
    );
    expect(writesByFrozenAfterTakeover).toEqual([]);
  });
});
