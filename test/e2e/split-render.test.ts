/**
 * A long presentation rendered split (src/render/split) by real workers, on both databases: the
 * video is the single render's (same frames, same slide changes, same audio packets, same
 * thumbnail); one worker with concurrency 1 finishes it (the owner waits without a worker slot);
 * a cancel of the presentation stops its segments and their ffmpeg; a worker that dies holding a
 * segment costs that segment only; a lowered LESSON_MAX_SCRIPT_CHARS refuses the lesson at the plan
 * and at each segment.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { defaultKinds } from '../../src/default-kinds.js';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { resolveFfmpegBinaries } from '../../src/render/ffmpeg/binaries.js';
import { parsePresentationPayload } from '../../src/render/lesson/payload.js';
import { renderPresentation } from '../../src/render/pipeline.js';
import { SEGMENT_KIND } from '../../src/render/split/segment-payload.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { assertBuilt, CLI } from '../support/worker-process.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
const FPS = 25;

const slide = (i: number) => ({
  title: `Step ${i + 1}`,
  bullets: ['What happens', 'Why it matters'],
  narration: `Step ${i + 1} of the water cycle. Water moves on, and the sun keeps it going.`,
});
/** Eight slides: above the default threshold of seven; with 3 slides a segment, four segments. */
const LESSON = {
  lesson: { title: 'The water cycle in eight steps', slides: Array.from({ length: 8 }, (_, i) => slide(i)) },
  resolution: '640x360',
};

/** Sixteen slides at 720p with longer narration: segments that encode for a while. */
const LONG_LESSON = {
  lesson: {
    title: 'The water cycle at length',
    slides: Array.from({ length: 16 }, (_, i) => ({
      ...slide(i),
      narration: `${slide(i).narration} It evaporates from the sea, rises, cools, and falls again as rain, part ${i + 1}.`,
    })),
  },
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

interface Packet {
  pts: number;
  duration: number;
  key: boolean;
  hash: string;
}

async function packets(path: string, stream: 'v' | 'a'): Promise<Packet[]> {
  const { ffprobe } = resolveFfmpegBinaries();
  const { stdout } = await run(ffprobe, [
    '-v',
    'error',
    '-select_streams',
    stream,
    '-show_entries',
    'packet=pts,duration,flags,data_hash',
    '-show_data_hash',
    'CRC32',
    '-of',
    'csv=p=0',
    path,
  ]);
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [pts, duration, flags, hash] = line.split(',');
      return {
        pts: Number(pts),
        duration: Number(duration),
        key: (flags ?? '').includes('K'),
        hash: hash ?? '',
      };
    })
    .sort((a, b) => a.pts - b.pts);
}

/** What a silence/volume detector hears in a short window of a video's audio. */
interface WindowLevels {
  /** astats, all channels: RMS and peak level (dB), and the largest step between two samples (a click). */
  readonly rmsDb: number;
  readonly peakDb: number;
  readonly maxDifference: number;
  /** silencedetect (below -60 dB for 10 ms or more): seconds of silence found in the window. */
  readonly silentSeconds: number;
}

const JOIN_WINDOW = 0.1;

/** The audio of `path` from `at` − 100 ms to `at` + 100 ms through ffmpeg's astats and silencedetect. */
async function levelsAround(path: string, at: number): Promise<WindowLevels> {
  const { ffmpeg } = resolveFfmpegBinaries();
  const start = Math.max(0, at - JOIN_WINDOW);
  const { stderr } = await run(ffmpeg, [
    '-hide_banner',
    '-nostats',
    '-ss',
    start.toFixed(3),
    '-t',
    (at + JOIN_WINDOW - start).toFixed(3),
    '-i',
    path,
    '-vn',
    '-af',
    'astats,silencedetect=noise=-60dB:duration=0.01',
    '-f',
    'null',
    '-',
  ]);
  const overall = stderr.slice(stderr.lastIndexOf('] Overall'));
  const stat = (name: string): number => {
    const match = new RegExp(`\\] ${name}: (-?[\\d.]+|-inf)`).exec(overall);
    if (!match) throw new Error(`astats printed no ${name} for ${path} at ${at}`);
    return match[1] === '-inf' ? -Infinity : Number(match[1]);
  };
  const starts = [...stderr.matchAll(/silence_start: (-?[\d.]+)/g)].map((m) => Number(m[1]));
  const ends = [...stderr.matchAll(/silence_end: (-?[\d.]+)/g)].map((m) => Number(m[1]));
  const windowEnd = at + JOIN_WINDOW - start;
  const silentSeconds = starts.reduce(
    (sum, from, i) => sum + (Math.min(ends[i] ?? windowEnd, windowEnd) - Math.max(from, 0)),
    0,
  );
  return {
    rmsDb: stat('RMS level dB'),
    peakDb: stat('Peak level dB'),
    maxDifference: stat('Max difference'),
    silentSeconds,
  };
}

async function artifactBytes(app: Reelqueue, jobId: string, kind: string): Promise<Buffer> {
  const artifact = await app.database.artifacts.find(jobId, kind);
  if (!artifact) throw new Error(`no ${kind} for ${jobId}`);
  const chunks: Buffer[] = [];
  for await (const chunk of app.database.artifacts.read(artifact.id)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('a presentation rendered split across workers', { timeout: 240_000 }, () => {
  let t: TestDatabase;
  let app: Reelqueue;
  let folder: string;

  beforeAll(async () => {
    t = await createTestDatabase({
      HEARTBEAT_SECONDS: 0.3,
      LEASE_SECONDS: 3,
      POLL_INTERVAL_MS: 100,
      REAPER_INTERVAL_SECONDS: 0.3,
      SPLIT_RENDER_SEGMENT_SLIDES: 3,
    });
    app = await createReelqueue(t.config, { logger: silentLogger(), kinds: defaultKinds });
    folder = await mkdtemp(join(tmpdir(), 'split-render-'));
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
    await rm(folder, { recursive: true, force: true });
  });

  const jobNow = async (id: string): Promise<Job | null> => app.jobs.get(id, ALL_JOBS);
  const segmentsOf = async (ownerId: string): Promise<Job[]> =>
    (await app.jobs.list({ kinds: [SEGMENT_KIND], limit: 200, includeFinished: true }, ALL_JOBS)).jobs.filter(
      (segment) => segment.payload.owner_id === ownerId,
    );
  const ended = (id: string, what: string) =>
    waitFor(
      async () => {
        const job = await jobNow(id);
        return job && ['completed', 'failed', 'cancelled', 'timeout'].includes(job.status) ? job : null;
      },
      { timeoutMs: 200_000, intervalMs: 100, what },
    );

  it('makes the single render’s video, with one worker of concurrency 1', async () => {
    const single = await renderPresentation({
      payload: parsePresentationPayload(LESSON),
      workDir: folder,
      ttsCacheDir: join(t.config.dataDir, 'tts-cache'),
    });

    const worker = app.createWorker({ concurrency: 1 });
    const outcomes: string[] = [];
    worker.on('finished', (job, outcome) => outcomes.push(`${job.kind}:${outcome}`));
    worker.start();
    try {
      const { job } = await app.enqueue({ kind: 'presentation', payload: LESSON, maxRetries: 0 });
      const done = await ended(job.id, 'the split job to end');
      expect(done.status).toBe('completed');
      const result = done.result as Record<string, unknown>;
      const segments = (result.split_render as { segments: unknown[] }).segments;
      expect(segments).toHaveLength(4);
      expect(outcomes).toEqual([
        'presentation:waiting',
        ...Array.from({ length: 4 }, () => `${SEGMENT_KIND}:completed`),
        'presentation:completed',
      ]);

      // One bar: while it waited, its segments moved it from the planning's 15 % to 85 %, never back.
      const waitingProgress = (await app.jobs.listEvents(job.id, FROM_THE_START, 1000))
        .filter((event) => event.type === 'progress' && event.status === 'waiting')
        .map((event) => event.progress);
      expect(waitingProgress.length).toBeGreaterThan(3);
      expect(waitingProgress).toEqual([...waitingProgress].sort((a, b) => a - b));
      expect(waitingProgress[0]).toBeGreaterThanOrEqual(15);
      expect(waitingProgress.at(-1)).toBe(85);
      // … nor when the join run starts: every event of the job, the claim's included, on one bar.
      const bar = (await app.jobs.listEvents(job.id, FROM_THE_START, 1000)).map((event) => event.progress);
      expect(bar).toEqual([...bar].sort((a, b) => a - b));

      expect(Math.abs(Number(result.duration_sec) - single.durationSeconds)).toBeLessThanOrEqual(1 / FPS);
      expect(result.slide_start_times).toEqual(single.slideStartTimes);
      expect(result.slide_count).toBe(single.slideCount);
      expect(result.caption_cue_count).toBe(single.captionCues.length);

      const splitPath = join(folder, 'split.mp4');
      await writeFile(splitPath, await artifactBytes(app, job.id, 'video'));
      // Slide changes on the same frames: the keyframes (forced at every shot) at the same times,
      // and as many frames.
      const [splitVideo, singleVideo] = await Promise.all([
        packets(splitPath, 'v'),
        packets(single.videoPath, 'v'),
      ]);
      expect(splitVideo.length).toBe(singleVideo.length);
      expect(splitVideo.filter((p) => p.key).map((p) => p.pts)).toEqual(
        singleVideo.filter((p) => p.key).map((p) => p.pts),
      );
      // The audio: the same packets, each starting where the one before ended (no gap at a join).
      const [splitAudio, singleAudio] = await Promise.all([
        packets(splitPath, 'a'),
        packets(single.videoPath, 'a'),
      ]);
      expect(splitAudio.map((p) => p.pts)).toEqual(singleAudio.map((p) => p.pts));
      // … with the same bytes: the narration is encoded once, whole, as in the single render, so a
      // join can add no gap, click or drift.
      expect(splitAudio.map((p) => p.hash)).toEqual(singleAudio.map((p) => p.hash));
      for (let i = 1; i < splitAudio.length; i++) {
        const before = splitAudio[i - 1] as Packet;
        expect((splitAudio[i] as Packet).pts).toBe(before.pts + before.duration);
      }
      // A silence/volume detector at each join (± 100 ms) hears what it hears in the single render
      // at the same time: no gap (more silence), no click (a larger step between samples), the
      // same loudness.
      const frames = [...(segments as { index: number; frames: number }[])]
        .sort((a, b) => a.index - b.index)
        .map((segment) => segment.frames);
      const joins = frames
        .slice(0, -1)
        .map((_, i) => frames.slice(0, i + 1).reduce((a, b) => a + b, 0) / FPS);
      expect(joins).toHaveLength(3);
      for (const at of joins) {
        const [split, one] = await Promise.all([
          levelsAround(splitPath, at),
          levelsAround(single.videoPath, at),
        ]);
        expect(split.silentSeconds, `silence around ${at} s`).toBeLessThanOrEqual(one.silentSeconds + 0.005);
        expect(split.maxDifference, `largest step around ${at} s`).toBeLessThanOrEqual(
          one.maxDifference * 1.01 + 1e-6,
        );
        if (Number.isFinite(one.rmsDb)) expect(Math.abs(split.rmsDb - one.rmsDb)).toBeLessThanOrEqual(0.5);
        else expect(split.rmsDb).toBe(-Infinity);
        if (Number.isFinite(one.peakDb)) expect(Math.abs(split.peakDb - one.peakDb)).toBeLessThanOrEqual(0.5);
      }
      expect(await artifactBytes(app, job.id, 'thumbnail')).toEqual(await readFile(single.thumbnailPath));
      expect((await artifactBytes(app, job.id, 'captions')).toString()).toBe(
        await readFile(single.captionsPath as string, 'utf8'),
      );
      // The segments are gone once joined: jobs, videos, and the narration kept for the join.
      expect(await app.database.artifacts.find(job.id, 'split-narration')).toBeNull();
      const segmentJobs = await app.jobs.list(
        { kinds: [SEGMENT_KIND], limit: 10, includeFinished: true },
        ALL_JOBS,
      );
      expect(segmentJobs.jobs).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it('a cancel of the presentation cancels its segments, stops their ffmpeg and deletes them once stopped', async () => {
    const worker = app.createWorker({ concurrency: 2 });
    const reaper = app.createReaper();
    worker.start();
    reaper.start();
    try {
      const { job } = await app.enqueue({ kind: 'presentation', payload: LONG_LESSON, maxRetries: 0 });
      await waitFor(async () => (await jobNow(job.id))?.status === 'waiting' && childFfmpegs().length > 0, {
        timeoutMs: 120_000,
        intervalMs: 20,
        what: 'segments encoding while the presentation waits',
      });
      const family = await app.jobs.dependencies(job.id, ALL_JOBS);
      expect(family?.parentIds.length).toBeGreaterThan(2);
      const outcome = await app.jobs.cancel(job.id, 'changed my mind', ALL_JOBS);
      expect(outcome.state).toBe('cancelled');
      // The two that were running stop their ffmpeg and end cancelled; then every segment is gone:
      // the reaper's sweep deletes them (and their videos) once they have stopped.
      await waitFor(() => childFfmpegs().length === 0, { timeoutMs: 30_000, what: 'ffmpeg to be gone' });
      await waitFor(async () => (await segmentsOf(job.id)).length === 0, {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'every segment of the cancelled presentation deleted',
      });
      for (const id of family?.parentIds ?? []) expect(await jobNow(id)).toBeNull();
      expect((await jobNow(job.id))?.status).toBe('cancelled');
      expect(await app.database.artifacts.find(job.id, 'video')).toBeNull();
      await waitFor(async () => (await app.database.artifacts.find(job.id, 'split-narration')) === null, {
        timeoutMs: 10_000,
        what: 'the narration kept for the join deleted',
      });
      // The user's job keeps its whole history.
      const types = (await app.jobs.listEvents(job.id, FROM_THE_START, 1000)).map((event) => event.type);
      expect(types).toContain('waiting');
      expect(types.at(-1)).toBe('cancelled');
    } finally {
      await worker.stop(0);
      await reaper.stop();
    }
  });

  /**
   * A split presentation planned and parked on its segments by a worker that then stops, so the
   * test decides who runs the segments.
   */
  async function parkedPresentation(maxRetries: number, timeoutSeconds?: number): Promise<Job> {
    const planner = app.createWorker({ concurrency: 1 });
    const parked = new Promise<void>((resolve) =>
      planner.on('finished', (job, outcome) => {
        if (job.kind === 'presentation' && outcome === 'waiting') resolve();
      }),
    );
    planner.start();
    const { job } = await app.enqueue({
      kind: 'presentation',
      payload: LESSON,
      maxRetries,
      ...(timeoutSeconds !== undefined && { timeoutSeconds }),
    });
    await parked;
    await planner.stop(0);
    return job;
  }

  it('a presentation that waits past its timeout ends timeout, and its segments and plan are removed', async () => {
    // No worker runs its segments: it would wait forever, but its timeout counts the wait too.
    const job = await parkedPresentation(2, 30);
    const parked = await jobNow(job.id);
    expect(parked?.status).toBe('waiting');
    expect((await segmentsOf(job.id)).length).toBe(4);
    const reaper = app.createReaper();
    reaper.start();
    try {
      // Its deadline is 30 s after the planning run started; the reaper sweeps every 0.3 s.
      const done = await waitFor(
        async () => {
          const now = await jobNow(job.id);
          return now && now.status !== 'waiting' ? now : null;
        },
        { timeoutMs: 90_000, intervalMs: 100, what: 'the presentation to time out' },
      );
      expect(done).toMatchObject({ status: 'timeout', errorCode: 'JOB_TIMEOUT', retryCount: 0 });
      expect(done.completedAt?.getTime()).toBeGreaterThanOrEqual(parked?.deadlineAt?.getTime() ?? Infinity);
      await waitFor(async () => (await segmentsOf(job.id)).length === 0, {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'the segments of the timed-out presentation deleted',
      });
      await waitFor(async () => (await app.database.artifacts.find(job.id, 'split-plan')) === null, {
        timeoutMs: 10_000,
        what: 'its plan deleted',
      });
      expect(await app.database.artifacts.find(job.id, 'split-narration')).toBeNull();
      const types = (await app.jobs.listEvents(job.id, FROM_THE_START, 1000)).map((event) => event.type);
      expect(types.filter((type) => type !== 'progress')).toEqual([
        'created',
        'started',
        'waiting',
        'timeout',
      ]);
    } finally {
      await reaper.stop();
    }
  });

  it('a worker that dies holding a segment costs that segment only', async () => {
    const job = await parkedPresentation(1);
    // A worker claims a segment and dies: nobody renews its 1 s lease.
    const [held] = await app.jobs.claim({
      workerId: 'dead-worker',
      kinds: [SEGMENT_KIND],
      limit: 1,
      leaseSeconds: 1,
    });
    expect(held).toBeDefined();

    const worker = app.createWorker({ concurrency: 2 });
    const reaper = app.createReaper();
    const started: Job[] = [];
    worker.on('started', (started_) => started.push(started_));
    reaper.start();
    worker.start();
    try {
      const done = await ended(job.id, 'the presentation to end');
      expect(done.status).toBe('completed');
      const segmentStarts = started.filter((s) => s.kind === SEGMENT_KIND);
      // Each segment ran once on the live worker: the dead worker's one again, none of the others twice.
      expect(new Set(segmentStarts.map((s) => s.id)).size).toBe(segmentStarts.length);
      expect(segmentStarts).toHaveLength(4);
      const rerun = segmentStarts.find((s) => s.id === held?.id);
      expect(rerun?.attempt).toBeGreaterThan(held?.attempt ?? Infinity);
    } finally {
      await worker.stop(0);
      await reaper.stop();
    }
  });

  it('`jobs show` says in how many segments it is rendered and how many are done', async () => {
    assertBuilt();
    const show = (id: string) => {
      const result = spawnSync(process.execPath, [CLI, 'jobs', 'show', id], {
        env: { ...process.env, ...t.env, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      return result.stdout;
    };
    const job = await parkedPresentation(0);
    expect(show(job.id)).toContain('split:    rendered in 4 segments, 0 done');
    const worker = app.createWorker({ concurrency: 2 });
    worker.start();
    try {
      expect((await ended(job.id, 'the presentation to end')).status).toBe('completed');
      expect(show(job.id)).toContain('split:    rendered in 4 segments, 4 done');
    } finally {
      await worker.stop(0);
    }
  });

  it('a run that crashed after queuing segments leaves none behind: the next run’s plan deletes them', async () => {
    // A worker claims the presentation, queues a segment and dies before storing its plan.
    const { job } = await app.enqueue({ kind: 'presentation', payload: LESSON, maxRetries: 1 });
    const [held] = await app.jobs.claim({
      workerId: 'dead-worker',
      kinds: ['presentation'],
      limit: 1,
      leaseSeconds: 1,
    });
    expect(held?.id).toBe(job.id);
    const { job: orphan } = await app.enqueue({
      kind: SEGMENT_KIND,
      maxRetries: 0,
      payload: {
        owner_id: job.id,
        index: 0,
        count: 1,
        presentation: LESSON,
        fps: FPS,
        first_frame: 0,
        frames: 1,
        items: [0],
        shots: [{ item: 0, shown_bullets: null, frames: 1 }],
        burned_cues: null,
      },
    });
    const worker = app.createWorker({ concurrency: 2 });
    const reaper = app.createReaper();
    reaper.start();
    worker.start();
    try {
      const done = await ended(job.id, 'the presentation to end');
      expect(done.status).toBe('completed');
      expect(await jobNow(orphan.id)).toBeNull();
      expect(await segmentsOf(job.id)).toEqual([]);
    } finally {
      await worker.stop(0);
      await reaper.stop();
    }
  });

  it('a lowered LESSON_MAX_SCRIPT_CHARS applies where the plan and the segments parse the lesson', async () => {
    // Workers of the same deployment started with a limit below this lesson's 900 characters (the
    // lesson was queued under the default): the plan refuses it, and so does each segment.
    const strict = await createReelqueue(
      { ...t.config, lessonMaxScriptChars: 100 },
      { logger: silentLogger(), kinds: defaultKinds, migrate: false },
    );
    try {
      const { job } = await app.enqueue({ kind: 'presentation', payload: LESSON, maxRetries: 0 });
      const planner = strict.createWorker({ concurrency: 1 });
      planner.start();
      try {
        const done = await ended(job.id, 'the plan to refuse the lesson');
        expect(done.status).toBe('failed');
        expect(done.errorCode).toBe('INVALID_PAYLOAD');
        expect(done.errorDetails).toMatchObject({ reason: 'SCRIPT_TOO_LONG', limit: 100 });
        expect(await segmentsOf(job.id)).toEqual([]);
      } finally {
        await planner.stop(0);
      }

      const parked = await parkedPresentation(0);
      const worker = strict.createWorker({ concurrency: 2 });
      worker.start();
      try {
        const done = await ended(parked.id, 'the segments to refuse the lesson');
        expect(done.status).toBe('failed');
        expect(done.errorCode).toBe('SPLIT_SEGMENT_FAILED');
        expect(done.errorDetails).toMatchObject({ segment_error_code: 'INVALID_PAYLOAD' });
        // The segment's own message: "… is 9xx characters; the limit is 100 (LESSON_MAX_SCRIPT_CHARS)".
        expect(done.errorMessage).toContain('the limit is 100 (LESSON_MAX_SCRIPT_CHARS)');
      } finally {
        await worker.stop(0);
      }
    } finally {
      await strict.close();
    }
  });

  it('a segment that fails after its retries fails the presentation with SPLIT_SEGMENT_FAILED', async () => {
    const job = await parkedPresentation(0);
    const [doomed] = await app.jobs.claim({
      workerId: 'test',
      kinds: [SEGMENT_KIND],
      limit: 1,
      leaseSeconds: 30,
    });
    await app.jobs.fail(
      { jobId: doomed?.id as string, attempt: doomed?.attempt as number, workerId: 'test' },
      {
        code: 'RENDER_FAILED',
        message: 'ffmpeg broke',
        details: null,
        terminalStatus: 'failed',
        retryAfterSeconds: null,
      },
    );
    const worker = app.createWorker({ concurrency: 2 });
    worker.start();
    try {
      const done = await ended(job.id, 'the presentation to end');
      expect(done.status).toBe('failed');
      expect(done.errorCode).toBe('SPLIT_SEGMENT_FAILED');
      expect(done.errorDetails).toMatchObject({ segment_id: doomed?.id, segment_status: 'failed' });
      expect(done.retryCount).toBe(0);
      expect(await app.database.artifacts.find(job.id, 'split-plan')).toBeNull();
      // Its segments (which carry the lesson text) are gone with it, videos and links included.
      expect(await segmentsOf(job.id)).toEqual([]);
      expect(await app.database.artifacts.find(doomed?.id as string, 'segment-video')).toBeNull();
      expect(await app.database.artifacts.find(job.id, 'split-narration')).toBeNull();

      // A manual retry plans again from a clean slate: it waits on its four new segments only.
      await worker.stop(0);
      const retried = await app.jobs.retry(job.id, { force: true }, ALL_JOBS);
      const retryStart = (await app.jobs.listEvents(job.id, FROM_THE_START, 1000)).length;
      const again = app.createWorker({ concurrency: 2 });
      const parkedAgain = new Promise<void>((resolve) =>
        again.on('finished', (finished, outcome) => {
          if (finished.id === retried.id && outcome === 'waiting') resolve();
        }),
      );
      again.start();
      try {
        await parkedAgain;
        const family = await app.jobs.dependencies(job.id, ALL_JOBS);
        expect(family?.parentIds).toHaveLength(4);
        expect(family?.parentIds).not.toContain(doomed?.id);
        const redone = await ended(job.id, 'the retried presentation to end');
        expect(redone.status).toBe('completed');
        const bar = (await app.jobs.listEvents(job.id, FROM_THE_START, 1000))
          .slice(retryStart)
          .filter((event) => event.type === 'progress' && event.status === 'waiting')
          .map((event) => event.progress);
        expect(bar.at(-1)).toBe(85);
        expect(bar).toEqual([...bar].sort((a, b) => a - b));
        expect(await segmentsOf(job.id)).toEqual([]);
      } finally {
        await again.stop(0);
      }
    } finally {
      await worker.stop(0);
    }
  });
});
