/**
 * A long presentation rendered split (src/render/split) by real workers, on both databases: the
 * video is the single render's (same frames, same slide changes, same audio packets, same
 * thumbnail); one worker with concurrency 1 finishes it (the owner waits without a worker slot);
 * a cancel of the presentation stops its segments and their ffmpeg; a worker that dies holding a
 * segment costs that segment only.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { defaultKinds } from '../../src/default-kinds.js';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { resolveFfmpegBinaries } from '../../src/render/ffmpeg/binaries.js';
import { parsePresentationPayload } from '../../src/render/lesson/payload.js';
import { renderPresentation } from '../../src/render/pipeline.js';
import { SEGMENT_KIND } from '../../src/render/split/segment-payload.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
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

interface Packet {
  pts: number;
  duration: number;
  key: boolean;
}

async function packets(path: string, stream: 'v' | 'a'): Promise<Packet[]> {
  const { ffprobe } = resolveFfmpegBinaries();
  const { stdout } = await run(ffprobe, [
    '-v',
    'error',
    '-select_streams',
    stream,
    '-show_entries',
    'packet=pts,duration,flags',
    '-of',
    'csv=p=0',
    path,
  ]);
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [pts, duration, flags] = line.split(',');
      return { pts: Number(pts), duration: Number(duration), key: (flags ?? '').includes('K') };
    })
    .sort((a, b) => a.pts - b.pts);
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
      for (let i = 1; i < splitAudio.length; i++) {
        const before = splitAudio[i - 1] as Packet;
        expect((splitAudio[i] as Packet).pts).toBe(before.pts + before.duration);
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
});
