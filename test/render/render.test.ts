/**
 * Real renders, end to end: real eSpeak NG, real resvg, real ffmpeg. Small frames and short narration
 * keep them quick.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLIDES_PER_PASS } from '../../src/render/ffmpeg/encode.js';
import { probe } from '../../src/render/ffmpeg/probe.js';
import { parsePresentationRequest } from '../../src/render/lesson/payload.js';
import { renderPresentation, type RenderedPresentation } from '../../src/render/pipeline.js';
import type { RenderStage } from '../../src/render/progress.js';
import { videoSequence } from '../../src/render/sequence.js';
import { createSpeechSynthesizer } from '../../src/render/tts/synthesize.js';
import {
  binaries,
  decodeGreyFrames,
  decodeGreyWindow,
  makeTempDir,
  meanDifference,
  pngSize,
  processesMentioning,
  processExists,
  waitFor,
} from './support.js';

const FPS = 25;
const WIDTH = 320;
const HEIGHT = 180;

const smallLesson = {
  title: 'Tides',
  slides: [
    {
      title: 'The Moon pulls',
      bullets: ['Gravity', 'Bulges of water'],
      narration: 'The Moon pulls on the oceans.',
    },
    {
      title: 'Two tides a day',
      bullets: ['High tide', 'Low tide'],
      narration: 'So most coasts see two high tides a day.',
    },
  ],
};

let cache: Awaited<ReturnType<typeof makeTempDir>>;
const workDirs: Awaited<ReturnType<typeof makeTempDir>>[] = [];

beforeAll(async () => {
  cache = await makeTempDir('rq-render-cache-');
});

afterAll(async () => {
  await Promise.all([cache.remove(), ...workDirs.map((dir) => dir.remove())]);
});

async function workDir(): Promise<string> {
  const dir = await makeTempDir('rq-render-work-');
  workDirs.push(dir);
  return dir.path;
}

/** How long each image of the video is shown: its sentences' speech, or the closing slide's silence. */
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

/**
 * Checks that each slide appears exactly at its start frame: the first frame of slide i matches the top
 * of slide i's image, and the frame before it matches where slide i-1's image was at its last frame.
 */
async function expectSlideChangesAt(result: RenderedPresentation): Promise<void> {
  const small = { width: 160, height: 90 };
  const frames = await decodeGreyFrames(result.videoPath, small.width, small.height);
  // The middle band: no fades of the scrolling overlay there.
  const [fromRow, toRow] = [Math.round(small.height * 0.25), Math.round(small.height * 0.72)];
  const difference = (frame: Uint8Array, image: Uint8Array): number =>
    meanDifference(frame, image, small.width, fromRow, toRow);
  const window = (slide: number, top: number): Promise<Uint8Array> =>
    decodeGreyWindow(
      result.slideImagePaths[slide] as string,
      top,
      result.width,
      result.height,
      small.width,
      small.height,
    );
  const startFrames = result.imageStartTimes.map((seconds) => Math.round(seconds * FPS));
  for (let slide = 1; slide < result.slideImagePaths.length; slide++) {
    const boundary = startFrames[slide] as number;
    const previousFrames = boundary - (startFrames[slide - 1] as number);
    // Scrolling images are taller than the frame by the distance the text travels during the slide.
    const travel = (await pngSize(result.slideImagePaths[slide - 1] as string)).height - result.height;
    const start = await window(slide, 0);
    const previousEnd = await window(slide - 1, Math.round((travel * (previousFrames - 1)) / previousFrames));
    const first = frames[boundary] as Uint8Array;
    const lastBefore = frames[boundary - 1] as Uint8Array;
    expect(difference(first, start)).toBeLessThan(0.5);
    expect(difference(lastBefore, previousEnd)).toBeLessThan(0.5);
    expect(difference(first, previousEnd)).toBeGreaterThan(4 * difference(first, start) + 0.5);
    expect(difference(lastBefore, start)).toBeGreaterThan(4 * difference(lastBefore, previousEnd) + 0.5);
  }
}

async function expectPlayableVideo(result: RenderedPresentation, payload: unknown): Promise<void> {
  const probed = await probe(result.videoPath, { ffprobePath: binaries.ffprobe });
  const video = probed.streams.find((stream) => stream.codecType === 'video');
  const audio = probed.streams.find((stream) => stream.codecType === 'audio');
  expect(video).toMatchObject({ codecName: 'h264', width: WIDTH, height: HEIGHT, frameRate: FPS });
  expect(audio).toMatchObject({ codecName: 'aac' });
  const spoken = (await narrationSeconds(payload)).reduce((sum, seconds) => sum + seconds, 0);
  expect(Math.abs(probed.durationSeconds - spoken)).toBeLessThanOrEqual(0.2);
  expect(Math.abs((video?.durationSeconds ?? 0) - spoken)).toBeLessThanOrEqual(0.2);
  expect(Math.abs(result.durationSeconds - spoken)).toBeLessThanOrEqual(0.2);
  expect(await pngSize(result.thumbnailPath)).toEqual({ width: 640, height: 360 });
}

describe('renderPresentation', () => {
  it.each(['default', 'scrolling'] as const)(
    'renders a %s-style lesson to H.264 + AAC whose slides change where their narration starts',
    async (style) => {
      const payload = { lesson: smallLesson, style, resolution: `${WIDTH}x${HEIGHT}` };
      const stages: RenderStage[] = [];
      const percents: number[] = [];
      const result = await renderPresentation({
        payload,
        workDir: await workDir(),
        ttsCacheDir: cache.path,
        onProgress(stage, percent) {
          if (stages.at(-1) !== stage) stages.push(stage);
          percents.push(percent);
        },
      });
      expect(result).toMatchObject({ slideCount: 2, width: WIDTH, height: HEIGHT, style, voice: 'en-us' });
      // Title slide, two slides, closing slide: each starts where the one before stops speaking.
      const lengths = await narrationSeconds(payload);
      expect(result.imageStartTimes).toHaveLength(4);
      let start = 0;
      lengths.forEach((length, index) => {
        expect(result.imageStartTimes[index]).toBeCloseTo(start, 1);
        start += length;
      });
      expect(result.slideStartTimes).toEqual(result.imageStartTimes.slice(1, 3));
      await expectPlayableVideo(result, payload);
      await expectSlideChangesAt(result);
      expect(stages).toEqual(['plan', 'speak', 'draw', 'encode', 'thumbnail']);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(percents.at(-1)).toBe(100);
    },
  );

  it('encodes a lesson with more slides than one ffmpeg pass takes in segments, still exact at every slide', async () => {
    const words = [
      'apple',
      'river',
      'mountain',
      'cloud',
      'forest',
      'desert',
      'ocean',
      'valley',
      'island',
      'glacier',
    ];
    const payload = {
      lesson: {
        title: 'Many',
        slides: Array.from({ length: SLIDES_PER_PASS + 2 }, (_, index) => ({
          title: `Slide ${index + 1}`,
          bullets: [`${words[index % words.length]} ${'■'.repeat(index + 1)}`, `${index + 1}`.repeat(12)],
          narration: `Number ${index + 1}.`,
        })),
      },
      resolution: `${WIDTH}x${HEIGHT}`,
    };
    const dir = await workDir();
    const result = await renderPresentation({ payload, workDir: dir, ttsCacheDir: cache.path });
    // The segments are joined into the video, then removed.
    expect((await readdir(dir)).filter((name) => name.startsWith('segment'))).toEqual([]);
    await expectPlayableVideo(result, payload);
    await expectSlideChangesAt(result);
  });

  it('with reveal_bullets, draws each bullet from the frame its sentence starts being spoken', async () => {
    const payload = {
      lesson: {
        title: 'Tides',
        slides: [
          {
            title: 'The Moon pulls',
            bullets: ['Gravity pulls water', 'Bulges form', 'Coasts see tides'],
            narration: 'The Moon pulls on the oceans. Two bulges of water form. Coasts see the tides.',
          },
        ],
      },
      resolution: `${WIDTH}x${HEIGHT}`,
      reveal_bullets: true,
      title_slide: false,
      closing_slide: false,
    };
    const dir = await workDir();
    const result = await renderPresentation({ payload, workDir: dir, ttsCacheDir: cache.path });
    await expectPlayableVideo(result, payload);
    const frames = await decodeGreyFrames(result.videoPath, WIDTH, HEIGHT);
    const image = (name: string) => decodeGreyWindow(join(dir, name), 0, WIDTH, HEIGHT, WIDTH, HEIGHT);
    // A bullet is a small part of the frame: compare bands of rows, and take the most different one.
    const band = 12;
    const difference = (a: Uint8Array, b: Uint8Array): number =>
      Math.max(
        ...Array.from({ length: Math.floor(HEIGHT / band) }, (_, index) =>
          meanDifference(a, b, WIDTH, index * band, (index + 1) * band),
        ),
      );
    const shown = [
      await image('slide-001-bullets-1.png'),
      await image('slide-001-bullets-2.png'),
      await image('slide-001.png'),
    ];
    // The frame matches the image with this many bullets, and not the others.
    const bulletsOn = (frame: Uint8Array): number => {
      const differences = shown.map((drawn) => difference(frame, drawn));
      const best = differences.indexOf(Math.min(...differences));
      for (const [index, other] of differences.entries()) {
        if (index !== best) expect(other).toBeGreaterThan(4 * (differences[best] as number) + 1);
      }
      return best + 1;
    };
    // The captions' cues: one per sentence here, starting where its sound starts.
    expect(result.captionCues).toHaveLength(3);
    const startFrame = (cue: number) => Math.round((result.captionCues[cue]?.startSeconds ?? 0) * FPS);
    expect(bulletsOn(frames[0] as Uint8Array)).toBe(1);
    expect(bulletsOn(frames[startFrame(1) - 1] as Uint8Array)).toBe(1);
    expect(bulletsOn(frames[startFrame(1)] as Uint8Array)).toBe(2);
    expect(bulletsOn(frames[startFrame(2) - 1] as Uint8Array)).toBe(2);
    expect(bulletsOn(frames[startFrame(2)] as Uint8Array)).toBe(3);
    expect(bulletsOn(frames.at(-1) as Uint8Array)).toBe(3);
  });

  it('renders a Markdown lesson and a plain script', async () => {
    const markdown = await renderPresentation({
      payload: {
        markdown: '# Rain\n\n## Clouds\n\n- Droplets grow\n\n## Falling\n\nDrops fall when heavy.',
        resolution: '320x180',
      },
      workDir: await workDir(),
      ttsCacheDir: cache.path,
    });
    expect(markdown.slideCount).toBe(2);
    const script = await renderPresentation({
      payload: {
        script: 'Wind is moving air.\n\nIt blows from high to low pressure.',
        style: 'scrolling',
        resolution: '320x180',
      },
      workDir: await workDir(),
      ttsCacheDir: cache.path,
    });
    expect(script.slideCount).toBe(1);
  });

  it('stops a render cancelled during encoding at once and leaves no ffmpeg running', async () => {
    const dir = await workDir();
    const narration = 'This narration is long enough that encoding takes a while. '.repeat(12);
    const controller = new AbortController();
    const reason = new Error('cancelled by the test');
    const rendering = renderPresentation({
      payload: {
        lesson: {
          title: 'Long',
          slides: [
            { title: 'One', narration },
            { title: 'Two', narration: `${narration} Again.` },
          ],
        },
        resolution: '1280x720',
      },
      workDir: dir,
      ttsCacheDir: cache.path,
      signal: controller.signal,
    });
    const settled = rendering.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    const [pid] = await waitFor(
      async () => {
        const pids = await processesMentioning(dir);
        return pids.length > 0 ? pids : undefined;
      },
      30_000,
      'ffmpeg to start',
    );
    const abortedAt = Date.now();
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect(processExists(pid as number)).toBe(false);
    expect(await processesMentioning(dir)).toEqual([]);
  });

  it('fails at once with the reason when the signal is already aborted', async () => {
    const reason = new Error('too late');
    await expect(
      renderPresentation({
        payload: { lesson: smallLesson },
        workDir: await workDir(),
        ttsCacheDir: cache.path,
        signal: AbortSignal.abort(reason),
      }),
    ).rejects.toBe(reason);
  });

  it('rejects with the progress listener’s error and stops', async () => {
    const lost = new Error('lease lost');
    await expect(
      renderPresentation({
        payload: { lesson: smallLesson, resolution: '320x180' },
        workDir: await workDir(),
        ttsCacheDir: cache.path,
        onProgress: (stage) => (stage === 'draw' ? Promise.reject(lost) : undefined),
      }),
    ).rejects.toBe(lost);
  });
});

describe('hostile text', () => {
  const hostile = [
    "'",
    ':',
    ',',
    ';',
    '%',
    '\\',
    '$(id)',
    '`id`',
    '-y',
    '-f lavfi',
    'movie=/etc/passwd',
    'file:///etc/passwd',
    '%s%n%x',
    '[0:v]',
    'x'.repeat(120),
    '🎉🧪',
    'שלום עולם',
    'مرحبا',
    '<svg onload=alert(1)>',
    '&amp;',
  ];
  const text = hostile.join(' ');

  it.each(['default', 'scrolling'] as const)(
    'renders literally in the %s style and touches nothing outside the work folder',
    async (style) => {
      // The work folder sits alone in a fresh parent, so anything written beside it shows up there.
      const parent = await workDir();
      const dir = join(parent, 'work');
      await mkdir(dir);
      const cwdBefore = await readdir(process.cwd());
      const payload = {
        lesson: {
          title: `Lesson ${text}`.slice(0, 200),
          slides: [
            { title: text.slice(0, 200), bullets: hostile.slice(0, 12), narration: `-v xx ${text}` },
            {
              title: '-y',
              narration: "-f lavfi -i movie=/etc/passwd $(touch /tmp/pwned) `id` 100%; echo '\\'",
            },
          ],
        },
        style,
        resolution: '320x180',
      };
      const result = await renderPresentation({ payload, workDir: dir, ttsCacheDir: cache.path });
      await expectPlayableVideo(result, payload);
      expect(await readdir(parent)).toEqual(['work']);
      expect(existsSync('/tmp/pwned')).toBe(false);
      const cwdNow = await readdir(process.cwd());
      for (const name of ['-y', 'lavfi', 'passwd', 'pwned', 'id', '-f', '%s%n%x', 'movie=']) {
        expect(cwdNow.filter((entry) => !cwdBefore.includes(entry))).not.toContain(name);
        expect(existsSync(join(tmpdir(), name))).toBe(false);
      }
      const files = (await readdir(dir)).sort();
      expect(files).toEqual(
        [
          'captions.vtt',
          'closing.png',
          'metadata.txt',
          'narration.wav',
          ...(style === 'scrolling' ? ['overlay.png'] : []),
          'presentation.mp4',
          'slide-001.png',
          'slide-002.png',
          'thumbnail.png',
          'title.png',
        ].sort(),
      );
    },
  );
});
