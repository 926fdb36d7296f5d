/**
 * Files of a render removed under a real `reelqueue worker` process: the video while it is encoded,
 * the video once it is encoded and probed, the thumbnail once it is drawn. Each time the worker
 * process lives on, the attempt fails with RENDER_FILE_MISSING (retried or failed as the job's
 * retries say), and its message names the file, never the internal temp path.
 *
 * The worker's TMPDIR is a folder of this test, so its work folders are ours to watch and nobody
 * else's sweep touches them. FIFOs hold the render at exact points: writing the thumbnail into a FIFO
 * blocks until the test reads it; reading the video from a FIFO blocks until the test writes it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { defaultKinds } from '../../src/default-kinds.js';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

const LESSON = {
  lesson: {
    title: 'Files that vanish',
    slides: [
      { title: 'One', bullets: ['A point'], narration: 'The first slide says a few words.' },
      { title: 'Two', bullets: ['Another'], narration: 'The second slide says a few more.' },
    ],
  },
  resolution: '320x180',
};

/** The folder whose name starts with `prefix`, searched `depth` levels down from `dir`. */
function findDir(dir: string, prefix: string, depth: number): string | null {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith(prefix)) return full;
    const below = depth > 1 ? findDir(full, prefix, depth - 1) : null;
    if (below) return below;
  }
  return null;
}

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/** Reads a FIFO to its end: waits for the writer to open it, then for the writer to close it. */
async function drainFifo(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

describe('render files removed under a real worker process', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  let worker: WorkerProcess;
  let tmp: string;
  let workRoot: string;
  let workerPid: number;

  beforeAll(async () => {
    assertBuilt();
    tmp = mkdtempSync(path.join(tmpdir(), 'reelqueue-faults-'));
    workRoot = path.join(tmp, 'tmp', 'reelqueue');
    mkdirSync(path.join(tmp, 'tmp'));
    t = await createTestDatabase({ POLL_INTERVAL_MS: 100 });
    app = await createReelqueue(t.config, { logger: silentLogger(), kinds: defaultKinds });
    worker = new WorkerProcess(
      {
        ...t.env,
        TMPDIR: path.join(tmp, 'tmp'),
        DATA_DIR: path.join(tmp, 'data'),
        RETRY_DELAYS: '0',
        POLL_INTERVAL_MS: '100',
      },
      ['--concurrency', '1'],
    );
    await worker.started(60_000);
    workerPid = worker.pid;
  });
  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await t?.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  const jobNow = async (id: string): Promise<Job> => {
    const job = await app.jobs.get(id, ALL_JOBS);
    if (!job) throw new Error(`job ${id} vanished`);
    return job;
  };
  const jobDir = (id: string) =>
    waitFor(() => findDir(workRoot, `job-${id}-`, 3), {
      timeoutMs: 60_000,
      intervalMs: 2,
      what: 'the job’s work folder',
    });
  const ended = (id: string, status: Job['status']) =>
    waitFor(
      async () => {
        const job = await jobNow(id);
        return job.status === status ? job : null;
      },
      { timeoutMs: 90_000, what: `the job to end ${status}` },
    );
  const failedAttempts = async (id: string) =>
    (await app.jobs.listEvents(id, FROM_THE_START, 1000)).filter(
      (event) => event.type === 'retry_scheduled' || event.type === 'failed',
    );

  /** The worker process is the one started, still running, and logged the failed attempt. */
  async function expectWorkerAliveAndLogged(jobId: string): Promise<void> {
    expect(worker.exited).toBe(false);
    expect(worker.pid).toBe(workerPid);
    const logged = await waitFor(
      () =>
        worker.stderrLines
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((record) => record.jobId === jobId && record.code === 'RENDER_FILE_MISSING'),
      { what: 'the failed attempt in the worker log' },
    );
    expect(logged).toMatchObject({ level: 40, kind: 'presentation', attempt: 1 });
  }

  function expectNoPrivatePath(text: string | null | undefined): void {
    expect(text ?? '').not.toContain(tmp);
    expect(text ?? '').not.toMatch(/\/reelqueue\/(?:[^/\s]+\/)?job-/);
  }

  it('the video removed while ffmpeg writes it: the attempt fails RENDER_FILE_MISSING, no retries left', async () => {
    const { job } = await app.enqueue({ kind: 'presentation', payload: LESSON, maxRetries: 0 });
    const dir = await jobDir(job.id);
    const video = path.join(dir, 'presentation.mp4');
    await waitFor(() => existsSync(video), {
      timeoutMs: 60_000,
      intervalMs: 2,
      what: 'ffmpeg to create the video',
    });
    unlinkSync(video);

    const failed = await ended(job.id, 'failed');
    expect(failed.errorCode).toBe('RENDER_FILE_MISSING');
    expect(failed.errorMessage).toContain('presentation.mp4');
    expectNoPrivatePath(failed.errorMessage);
    expectNoPrivatePath(failed.message);
    expect(await app.database.artifacts.find(job.id, 'video')).toBeNull();
    await expectWorkerAliveAndLogged(job.id);
    await waitFor(() => !existsSync(dir), { what: 'the work folder to go' });
  });

  it('the video removed once encoded, before it is stored: the attempt fails and the retry completes', async () => {
    const { job } = await app.enqueue({ kind: 'presentation', payload: LESSON, maxRetries: 1 });
    const dir = await jobDir(job.id);
    const thumbnail = path.join(dir, 'thumbnail.png');
    mkfifo(thumbnail);
    // Encoded and probed; the render now waits on the thumbnail FIFO until the test reads it.
    await waitFor(async () => (await jobNow(job.id)).stage === 'thumbnail', {
      timeoutMs: 60_000,
      what: 'the thumbnail stage',
    });
    unlinkSync(path.join(dir, 'presentation.mp4'));
    await drainFifo(thumbnail);

    const completed = await ended(job.id, 'completed');
    expect(completed.attempt).toBe(2);
    const [attempt] = await failedAttempts(job.id);
    expect(attempt).toMatchObject({ type: 'retry_scheduled', attempt: 1 });
    expect(attempt?.data).toMatchObject({ error_code: 'RENDER_FILE_MISSING' });
    expect(String(attempt?.data?.error_message)).toContain('presentation.mp4');
    expectNoPrivatePath(String(attempt?.data?.error_message));
    expect(await app.database.artifacts.find(job.id, 'video')).toMatchObject({ attempt: 2 });
    await expectWorkerAliveAndLogged(job.id);
  });

  it('the thumbnail removed once drawn, before it is stored: the attempt fails and the retry completes', async () => {
    const { job } = await app.enqueue({ kind: 'presentation', payload: LESSON, maxRetries: 1 });
    const dir = await jobDir(job.id);
    const thumbnail = path.join(dir, 'thumbnail.png');
    const video = path.join(dir, 'presentation.mp4');
    mkfifo(thumbnail);
    await waitFor(async () => (await jobNow(job.id)).stage === 'thumbnail', {
      timeoutMs: 60_000,
      what: 'the thumbnail stage',
    });
    // The video becomes a FIFO too, so that storing it waits for the test to hand over its bytes.
    const videoBytes = readFileSync(video);
    unlinkSync(video);
    mkfifo(video);
    await drainFifo(thumbnail);
    const videoWriter = await open(video, 'w'); // opens once the worker starts storing the video
    unlinkSync(thumbnail); // drawn and written, not stored yet
    await videoWriter.writeFile(videoBytes);
    await videoWriter.close();

    const completed = await ended(job.id, 'completed');
    expect(completed.attempt).toBe(2);
    const [attempt] = await failedAttempts(job.id);
    expect(attempt).toMatchObject({ type: 'retry_scheduled', attempt: 1 });
    expect(attempt?.data).toMatchObject({ error_code: 'RENDER_FILE_MISSING' });
    expect(String(attempt?.data?.error_message)).toContain('thumbnail.png');
    expectNoPrivatePath(String(attempt?.data?.error_message));
    expect(await app.database.artifacts.find(job.id, 'thumbnail')).toMatchObject({ attempt: 2 });
    await expectWorkerAliveAndLogged(job.id);
  });

  it('the same worker process goes on to render another job', async () => {
    const { job } = await app.enqueue({ kind: 'presentation', payload: LESSON, maxRetries: 0 });
    const completed = await ended(job.id, 'completed');
    expect(completed.attempt).toBe(1);
    expect(worker.exited).toBe(false);
    expect(worker.pid).toBe(workerPid);
  });
});
