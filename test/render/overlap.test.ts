/**
 * The render encodes the first slides' video while the rest is still spoken. These check that the
 * video is the one the sequential plan gives (the timeline from the whole narration, encoded in one
 * pass after the speech), and that a cancel while speech and encode both run leaves no ffmpeg.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { burnFontSize } from '../../src/render/captions/burn.js';
import { encodeVideo } from '../../src/render/ffmpeg/encode.js';
import { buildTimeline } from '../../src/render/ffmpeg/timeline.js';
import { parsePresentationRequest } from '../../src/render/lesson/payload.js';
import { renderPresentation } from '../../src/render/pipeline.js';
import type { RenderStage } from '../../src/render/progress.js';
import { videoSequence } from '../../src/render/sequence.js';
import { createSpeechSynthesizer } from '../../src/render/tts/synthesize.js';
import { spokenAnswer, startSpeechServer, statusAnswer } from '../support/speech-server.js';
import {
  binaries,
  decodeGreyFrames,
  makeTempDir,
  meanDifference,
  processesMentioning,
  processExists,
  waitFor,
} from './support.js';

const run = promisify(execFile);
const FPS = 25;
const WIDTH = 320;
const HEIGHT = 180;

let cache: Awaited<ReturnType<typeof makeTempDir>>;
const workDirs: Awaited<ReturnType<typeof makeTempDir>>[] = [];

beforeAll(async () => {
  cache = await makeTempDir('rq-overlap-cache-');
});

afterAll(async () => {
  await Promise.all([cache.remove(), ...workDirs.map((dir) => dir.remove())]);
});

async function workDir(): Promise<string> {
  const dir = await makeTempDir('rq-overlap-work-');
  workDirs.push(dir);
  return dir.path;
}

/** Each image's narration length, spoken sentence by sentence apart from the render. */
async function narrationSeconds(payload: unknown): Promise<number[]> {
  const request = parsePresentationRequest(payload);
  const synthesizer = createSpeechSynthesizer({ cacheDir: cache.path });
  try {
    const durations: number[] = [];
    for (const item of videoSequence(request)) {
      if (item.kind === 'closing') {
        durations.push(item.silenceSeconds);
        continue;
      }
      let seconds = 0;
      for (const sentence of item.sentences) {
        seconds += (await synthesizer.synthesize(sentence, request.voice)).durationSeconds;
      }
      durations.push(seconds);
    }
    return durations;
  } finally {
    await synthesizer.close();
  }
}

/** For each video frame in order, whether it is a keyframe (no B-frames: decode order is display order). */
async function keyframeFlags(video: string): Promise<boolean[]> {
  // prettier-ignore
  const { stdout } = await run(binaries.ffprobe, [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', video,
  ]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.startsWith('K'));
}

async function durationOf(video: string): Promise<number> {
  // prettier-ignore
  const { stdout } = await run(binaries.ffprobe, [
    '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', video,
  ]);
  return Number(stdout.trim());
}

const lesson = {
  title: 'Tides',
  slides: [
    { title: 'The Moon pulls', bullets: ['Gravity'], narration: 'The Moon pulls on the oceans. It is far.' },
    { title: 'Two bulges', bullets: ['Near side', 'Far side'], narration: 'Two bulges of water form.' },
    { title: 'Two tides a day', bullets: ['High', 'Low'], narration: 'So most coasts see two tides a day.' },
  ],
};

describe('the overlapped render', () => {
  it.each(['soft', 'burned'] as const)(
    'gives the video of the sequential plan, with %s captions: same slide start frames, frames and duration',
    async (captions) => {
      const payload = { lesson, resolution: `${WIDTH}x${HEIGHT}`, captions };
      const dir = await workDir();
      const result = await renderPresentation({ payload, workDir: dir, ttsCacheDir: cache.path });

      // The sequential plan: the timeline from the whole narration, every image in one ffmpeg pass.
      const timeline = buildTimeline(await narrationSeconds(payload), FPS);
      const sequentialPath = join(dir, 'sequential.mp4');
      await encodeVideo(
        {
          slides: result.slideImagePaths.map((imagePath, index) => ({
            imagePath,
            frames: timeline.frameCounts[index] as number,
          })),
          audioPath: join(dir, 'narration.wav'),
          outputPath: sequentialPath,
          width: WIDTH,
          height: HEIGHT,
          fps: FPS,
        },
        {
          ffmpegPath: binaries.ffmpeg,
          ...(captions === 'burned' && {
            burn: { cues: result.captionCues, fontsDirName: 'fonts', fontSize: burnFontSize(WIDTH, HEIGHT) },
          }),
        },
      );

      expect(result.imageStartTimes).toEqual(timeline.startFrames.map((frame) => frame / FPS));
      const keyframes = await keyframeFlags(result.videoPath);
      expect(keyframes).toHaveLength(timeline.totalFrames);
      const keyframeIndices = keyframes.flatMap((key, index) => (key ? [index] : []));
      expect(keyframeIndices).toEqual(timeline.startFrames);
      expect(await keyframeFlags(sequentialPath)).toEqual(keyframes);
      expect(await durationOf(result.videoPath)).toBeCloseTo(await durationOf(sequentialPath), 2);

      // Frame for frame the same picture (burned captions included).
      const overlapped = await decodeGreyFrames(result.videoPath, WIDTH, HEIGHT);
      const sequential = await decodeGreyFrames(sequentialPath, WIDTH, HEIGHT);
      expect(overlapped).toHaveLength(sequential.length);
      const worst = Math.max(
        ...overlapped.map((frame, index) =>
          meanDifference(frame, sequential[index] as Uint8Array, WIDTH, 0, HEIGHT),
        ),
      );
      expect(worst).toBeLessThan(0.5);
    },
  );

  it('cancelled while it speaks and encodes at once, stops every ffmpeg before it rejects', async () => {
    const dir = await workDir();
    // Long slides: each one's video takes a while to encode, while the next ones are spoken.
    const narration = (n: number) =>
      Array.from(
        { length: 10 },
        (_, k) => `Sentence ${k + 1} of slide ${n} goes on about tides, the Moon and the oceans.`,
      ).join(' ');
    const controller = new AbortController();
    const reason = new Error('cancelled by the test');
    let stage: RenderStage | undefined;
    const rendering = renderPresentation({
      payload: {
        lesson: {
          title: 'Long',
          slides: Array.from({ length: 4 }, (_, index) => ({
            title: `Part ${index + 1}`,
            narration: narration(index + 1),
          })),
        },
        resolution: '1280x720',
      },
      workDir: dir,
      // An empty cache: speech takes its real time.
      ttsCacheDir: join(dir, 'tts'),
      signal: controller.signal,
      onProgress: (reported) => {
        stage = reported;
      },
    });
    const settled = rendering.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    // ffmpeg encoding the first slides while the narration is still being spoken.
    const [pid] = await waitFor(
      async () => {
        const pids = await processesMentioning(dir);
        return pids.length > 0 && stage === 'speak' ? pids : undefined;
      },
      60_000,
      'ffmpeg to run while the narration is spoken',
    );
    const abortedAt = Date.now();
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect(processExists(pid as number)).toBe(false);
    expect(await processesMentioning(dir)).toEqual([]);
  });

  it('encodes again what it encoded from a speech provider that failed half-way, once eSpeak NG speaks instead', async () => {
    const server = await startSpeechServer();
    try {
      const dir = await workDir();
      const payload = {
        lesson: {
          title: 'Provider half-way',
          slides: [
            { title: 'First', narration: 'The first fact is spoken by the provider. It is short.' },
            { title: 'Second', narration: 'The second fact breaks the provider.' },
          ],
        },
        resolution: `${WIDTH}x${HEIGHT}`,
      };
      // The provider speaks the first items (with its own lead silence: other lengths than eSpeak
      // NG's), and fails the last sentence only once their video is being encoded.
      server.answerWith(async (request, response, speak) => {
        if (!String(request.body.input).includes('breaks the provider')) {
          await spokenAnswer(request, response, speak);
          return;
        }
        await waitFor(
          () => (existsSync(join(dir, 'segment-001.mp4')) ? true : undefined),
          60_000,
          'a segment',
        );
        await statusAnswer(500)(request, response, speak);
      });
      const speechProvider = loadConfig(
        {},
        { TTS_BASE_URL: server.baseUrl, TTS_MODEL: 'test-tts', TTS_VOICES: 'en-us=en-gb' },
      ).tts;
      const result = await renderPresentation({
        payload,
        workDir: dir,
        ttsCacheDir: join(dir, 'tts'),
        speechProvider,
      });
      expect(result.speech).toMatchObject({ engine: 'espeak-ng', fallback_from: 'provider' });

      const timeline = buildTimeline(await narrationSeconds(payload), FPS);
      const keyframes = await keyframeFlags(result.videoPath);
      expect(keyframes).toHaveLength(timeline.totalFrames);
      expect(keyframes.flatMap((key, index) => (key ? [index] : []))).toEqual(timeline.startFrames);
      expect(result.imageStartTimes).toEqual(timeline.startFrames.map((frame) => frame / FPS));
    } finally {
      server.answerWith(spokenAnswer);
      await server.close();
    }
  });
});
