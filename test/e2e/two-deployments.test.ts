/**
 * Two deployments (two databases) on one host, sharing the temp folder: one renders while the other
 * starts again and again (each start sweeps stale render folders). No start may touch the other
 * deployment's live renders: every render completes.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { defaultKinds } from '../../src/default-kinds.js';
import { isFinished } from '../../src/jobs/model.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const RENDERS = 3;
const lesson = (i: number) => ({
  lesson: {
    title: `Lesson ${i}`,
    slides: [
      { title: 'One', bullets: ['A point'], narration: `Deployment test, lesson ${i}, first slide.` },
      { title: 'Two', bullets: ['Another'], narration: `And the second slide of lesson ${i}.` },
    ],
  },
  resolution: '640x360',
});

describe('two deployments on one host', () => {
  let rendering: TestDatabase;
  let starting: TestDatabase;
  let app: Reelqueue;
  let temp: string;
  const processes: WorkerProcess[] = [];

  beforeEach(async () => {
    assertBuilt();
    // Both deployments' processes see this as their temp folder (and nobody else's).
    temp = mkdtempSync(path.join(tmpdir(), 'rq-two-deployments-'));
    rendering = await createTestDatabase({ MAX_RETRIES: 0 });
    starting = await createTestDatabase();
    app = await createReelqueue(rendering.config, { logger: silentLogger(), kinds: defaultKinds });
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop().catch(() => undefined)));
    await app.close();
    await rendering.cleanup();
    await starting.cleanup();
    rmSync(temp, { recursive: true, force: true });
  });

  const worker = (env: Record<string, string>, args: string[] = []) => {
    const started = new WorkerProcess({ ...env, TMPDIR: temp, MAX_RETRIES: '0' }, args);
    processes.push(started);
    return started;
  };

  it("never removes another deployment's renders while they run", async () => {
    const renderer = worker(rendering.env, ['--concurrency', '2']);
    await renderer.started(60_000);
    const jobs = await app.enqueueMany(
      Array.from({ length: RENDERS }, (_, i) => ({ kind: 'presentation', payload: lesson(i) })),
    );
    const ids = jobs.map((result) => result.job.id);
    await waitFor(() => readdirSync(temp).includes('reelqueue'), { what: 'a render to start' });

    // The other deployment starts (and stops) again and again until every render has ended.
    let starts = 0;
    const ended = async () => {
      const current = await Promise.all(ids.map((id) => app.jobs.get(id, ALL_JOBS)));
      return current.every((job) => job !== null && isFinished(job.status)) ? current : null;
    };
    let finished = await ended();
    while (!finished) {
      const other = worker(starting.env);
      await other.started(60_000);
      await other.stop();
      starts += 1;
      finished = await ended();
    }

    expect(starts).toBeGreaterThan(0);
    for (const job of finished) {
      expect({ status: job?.status, error: job?.errorMessage ?? null }).toEqual({
        status: 'completed',
        error: null,
      });
    }
    expect(renderer.exited).toBe(false);
  });
});
