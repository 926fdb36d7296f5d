/**
 * The `presentation` job on a real worker: cancellation during encoding and a timeout (whichever
 * stage it hits) stop ffmpeg, end the job in the right status, and remove its temp folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { defaultKinds } from '../../src/default-kinds.js';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import type { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/logger.js';
import { defaultWorkRoot, deploymentWorkRoot } from '../../src/render/work-dirs.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

/** A lesson long enough that encoding it at 720p takes a few seconds. */
/** Slide `i` of a long lesson; its narration repeats every 8 slides, so its speech is cached once rendered. */
const longSlide = (i: number) => ({
  title: `Part ${i + 1}`,
  bullets: ['One point', 'Another point'],
  narration:
    'This part of the lesson talks for a while, so that the encoder has plenty of frames to write. ' +
    `It is part number ${(i % 8) + 1}, and it goes on a little longer to make the video long enough to test.`,
});

const LONG_LESSON = {
  lesson: { title: 'A long lesson', slides: Array.from({ length: 8 }, (_, i) => longSlide(i)) },
  resolution: '1280x720',
};

/**
 * Four times LONG_LESSON's video from the same (cached) speech: its encode outlasts a 2 s timeout
 * with a wide margin even on a fast, idle machine (LONG_LESSON alone rendered in under 2 s there).
 */
const LONGER_LESSON = {
  lesson: { title: 'A longer lesson', slides: Array.from({ length: 32 }, (_, i) => longSlide(i)) },
  resolution: '1280x720',
};

/** ffmpeg processes whose parent is this test process. */
function childFfmpegs(): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = /\((.*)\)/.exec(stat)?.[1] ?? '';
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && comm.includes('ffmpeg')) found.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** This deployment's render work folders (set once the database is open). */
let workParent = '';

const workDirsOf = (jobId: string) => {
  try {
    return readdirSync(workParent).filter((name) => name.startsWith(`job-${jobId}-`));
  } catch {
    return [];
  }
};

describe('presentation job', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  let worker: Worker;

  beforeAll(async () => {
    // The single render's cancel and timeout: long lessons here are not split (split-render.test.ts).
    t = await createTestDatabase({
      HEARTBEAT_SECONDS: 0.3,
      LEASE_SECONDS: 5,
      POLL_INTERVAL_MS: 100,
      SPLIT_RENDER_MIN_SLIDES: 0,
    });
    app = await createReelqueue(t.config, { logger: silentLogger(), kinds: defaultKinds });
    workParent = deploymentWorkRoot(defaultWorkRoot(), await app.database.deploymentId());
    worker = app.createWorker({ concurrency: 1 });
    worker.start();
  });
  afterAll(async () => {
    await worker.stop(0);
    await app.close();
    await t.cleanup();
  });

  const jobNow = async (id: string): Promise<Job> => {
    const job = await app.jobs.get(id, ALL_JOBS);
    if (!job) throw new Error(`job ${id} vanished`);
    return job;
  };

  it('stops ffmpeg, ends cancelled and removes its temp folder when cancelled during encoding', async () => {
    const { job } = await app.enqueue({ kind: 'presentation', payload: LONG_LESSON, maxRetries: 0 });
    await waitFor(async () => (await jobNow(job.id)).stage === 'encode' && childFfmpegs().length > 0, {
      timeoutMs: 60_000,
      intervalMs: 10,
      what: 'encoding to start',
    });
    expect(workDirsOf(job.id)).toHaveLength(1);
    await app.jobs.cancel(job.id, 'changed my mind', ALL_JOBS);
    const cancelled = await waitFor(async () => {
      const now = await jobNow(job.id);
      return now.status === 'cancelled' ? now : null;
    });
    expect(cancelled.errorCode).toBe('JOB_CANCELLED');
    await waitFor(() => childFfmpegs().length === 0, { timeoutMs: 2000, what: 'ffmpeg to be gone' });
    await waitFor(() => workDirsOf(job.id).length === 0, { timeoutMs: 5000, what: 'the temp folder to go' });
    expect(await app.database.artifacts.find(job.id, 'video')).toBeNull();
  });

  it('ends timeout, with no child process left, the temp folder removed and the worker still working, when the job runs past its timeout', async () => {
    // Where the 2 s run out depends on the machine: usually while encoding (the speech is cached by
    // the test above), on a busy one while speaking or drawing. The outcome must be the same.
    const { job } = await app.enqueue({
      kind: 'presentation',
      payload: LONGER_LESSON,
      maxRetries: 0,
      timeoutSeconds: 2,
    });
    const ended = await waitFor(
      async () => {
        const now = await jobNow(job.id);
        return now.status === 'pending' || now.status === 'running' ? null : now;
      },
      { timeoutMs: 60_000, what: 'the job to end' },
    );
    expect([ended.status, ended.errorCode, ended.errorMessage]).toEqual([
      'timeout',
      'JOB_TIMEOUT',
      'The job ran past its timeout of 2 s',
    ]);
    await waitFor(() => renderChildren().length === 0, {
      timeoutMs: 2000,
      what: 'ffmpeg and ffprobe to be gone',
    });
    await waitFor(() => workDirsOf(job.id).length === 0, { timeoutMs: 5000, what: 'the temp folder to go' });

    const next = await app.enqueue({ kind: 'presentation', payload: SHORT_LESSON, maxRetries: 0 });
    const completed = await waitFor(
      async () => {
        const now = await jobNow(next.job.id);
        return now.status === 'completed' || now.status === 'failed' ? now : null;
      },
      { timeoutMs: 60_000, what: 'the next job to finish' },
    );
    expect([completed.status, completed.errorCode, completed.errorMessage]).toEqual([
      'completed',
      null,
      null,
    ]);
  });
});

const SHORT_LESSON = {
  lesson: { title: 'A short lesson', slides: [longSlide(0)] },
  resolution: '320x180',
};

/** Render child processes (ffmpeg, ffprobe, a speech engine run as a program) of this test process. */
function renderChildren(): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = /\((.*)\)/.exec(stat)?.[1] ?? '';
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && /ffmpeg|ffprobe|espeak/.test(comm)) found.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
