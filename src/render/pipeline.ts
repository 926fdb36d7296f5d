/**
 * Lesson → narrated MP4 and PNG thumbnail, offline, in a folder the caller owns (the worker makes it
 * with mkdtemp and removes it). Stages: plan → (polish) → speak → draw → encode → thumbnail; storing
 * the files is the caller's. Polish, when the caller gives one, rewrites the narration before
 * anything is spoken or drawn, so speech (and its cache) and the slides use the polished text. Every stage stops on the AbortSignal, and ffmpeg is killed and gone before this rejects.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { mapConcurrently } from './concurrency.js';
import { resolveFfmpegBinaries } from './ffmpeg/binaries.js';
import { encodeVideo } from './ffmpeg/encode.js';
import { probe } from './ffmpeg/probe.js';
import { buildTimeline } from './ffmpeg/timeline.js';
import type { JsonObject } from '../jobs/model.js';
import type { Lesson, PresentationRequest, RenderStyle } from './lesson/model.js';
import { parsePresentationRequest } from './lesson/payload.js';
import { ProgressReporter, type ProgressListener } from './progress.js';
import { withFilesChecked } from './render-failure.js';
import { drawSlides } from './slides/draw-slides.js';
import { loadSlideFonts } from './slides/fonts.js';
import { writeThumbnail } from './thumbnail.js';
import type { SpeechEngine } from './tts/engine.js';
import { createSpeechSynthesizer } from './tts/synthesize.js';
import { joinWavFiles } from './tts/wav.js';

export const DEFAULT_FPS = 25;

/** Speech requests in flight; the engine runs at most two at a time anyway. */
const PARALLEL_SPEECH = 4;

/** What a polish step gives back: the lesson to render, and the event that ends the step. */
export interface PolishedLesson {
  readonly lesson: Lesson;
  readonly message: string;
  readonly data: JsonObject;
}

/**
 * Rewrites a lesson's narration (LLM polish). Reports each slide done; must not fail for its own
 * reasons (it keeps the original text instead), only with the signal's reason when aborted.
 */
export type LessonPolisher = (
  lesson: Lesson,
  signal: AbortSignal,
  onSlide: (done: number, total: number) => void,
) => Promise<PolishedLesson>;

export interface RenderPresentationOptions {
  /** A presentation payload, raw or already normalised by `parsePresentationPayload`. */
  readonly payload: unknown;
  /** An existing, empty folder for this render's files. */
  readonly workDir: string;
  readonly signal?: AbortSignal | undefined;
  /** Overall progress: the stage, 0–100 over the whole render, and a message. May be async. */
  readonly onProgress?: ProgressListener | undefined;
  /** FFMPEG_PATH / FFPROBE_PATH from the config; default to the bundled static builds. */
  readonly ffmpegPath?: string | undefined;
  readonly ffprobePath?: string | undefined;
  /** Where speech clips are cached between attempts and jobs. */
  readonly ttsCacheDir: string;
  /** Folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf. */
  readonly fontDir?: string | undefined;
  readonly fps?: number | undefined;
  /** Defaults to eSpeak NG in WebAssembly. */
  readonly speechEngine?: SpeechEngine | undefined;
  /** The polish stage; without it the narration is rendered as written. */
  readonly polish?: LessonPolisher | undefined;
}

export interface RenderedPresentation {
  readonly videoPath: string;
  readonly thumbnailPath: string;
  readonly durationSeconds: number;
  readonly slideCount: number;
  /** When each slide appears in the video, in seconds. */
  readonly slideStartTimes: readonly number[];
  readonly width: number;
  readonly height: number;
  readonly style: RenderStyle;
  readonly voice: string;
  /** The drawn slide images, in `workDir`. */
  readonly slideImagePaths: readonly string[];
}

function linkedController(signal: AbortSignal | undefined): { controller: AbortController; unlink(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return { controller, unlink: () => signal?.removeEventListener('abort', onAbort) };
}

async function speak(
  request: PresentationRequest,
  options: RenderPresentationOptions,
  workDir: string,
  signal: AbortSignal,
  progress: ProgressReporter,
): Promise<number[]> {
  const synthesizer = createSpeechSynthesizer({
    cacheDir: options.ttsCacheDir,
    engine: options.speechEngine,
  });
  try {
    const slides = request.lesson.slides;
    let spoken = 0;
    // A few at once: the engine spreads them over its worker threads.
    const clips = await mapConcurrently(slides, PARALLEL_SPEECH, async (slide) => {
      const clip = await synthesizer.synthesize(slide.narration, request.voice, { signal });
      spoken += 1;
      progress.report('speak', spoken / slides.length, `Spoke ${spoken} of ${slides.length} slides`);
      return clip.wavPath;
    });
    return await joinWavFiles(clips, join(workDir, 'narration.wav'));
  } finally {
    await synthesizer.close();
  }
}

/** Both results; if one fails, the other is aborted and awaited before the first error is thrown. */
async function allOrAbort<A, B>(
  tasks: [Promise<A>, Promise<B>],
  controller: AbortController,
): Promise<[A, B]> {
  const failFast = tasks.map((task) =>
    task.catch((error: unknown) => {
      controller.abort(error);
      throw error;
    }),
  );
  const settled = await Promise.allSettled(failFast);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return [(settled[0] as PromiseFulfilledResult<A>).value, (settled[1] as PromiseFulfilledResult<B>).value];
}

export async function renderPresentation(options: RenderPresentationOptions): Promise<RenderedPresentation> {
  const { controller, unlink } = linkedController(options.signal);
  const { signal } = controller;
  const progress = new ProgressReporter(options.onProgress, (error) => controller.abort(error));
  try {
    signal.throwIfAborted();
    progress.report('plan', 0, 'Checking the lesson');
    let request = parsePresentationRequest(options.payload);
    const workDir = resolve(options.workDir);
    const fonts = await loadSlideFonts(options.fontDir);
    const binaries = resolveFfmpegBinaries(options);
    const fps = options.fps ?? DEFAULT_FPS;
    const { width, height } = request.resolution;
    const slideCount = request.lesson.slides.length;
    await mkdir(options.ttsCacheDir, { recursive: true });
    progress.report('plan', 1, `${slideCount} slides, ${request.style} style, ${width}x${height}`);
    await progress.flush();

    if (options.polish) {
      progress.report('polish', 0, 'Polishing the narration');
      const polished = await options.polish(request.lesson, signal, (done, total) =>
        progress.report('polish', done / total, `Polishing: ${done} of ${total} slides done`),
      );
      request = { ...request, lesson: polished.lesson };
      progress.report('polish', 1, polished.message, polished.data);
      await progress.flush();
    }

    // Speech runs in a worker thread and drawing in resvg's thread pool: do both at once, but report
    // them one after the other so the stages still read plan → speak → draw.
    progress.report('speak', 0, 'Speaking the narration');
    let drawReport: (() => void) | undefined;
    let speaking = true;
    const drawing = drawSlides(request, {
      dir: workDir,
      fonts,
      signal,
      onDrawn: (done, total) => {
        drawReport = () => progress.report('draw', done / total, `Drew image ${done} of ${total}`);
        if (!speaking) drawReport();
      },
    });
    const [durations, drawn] = await allOrAbort(
      [
        speak(request, options, workDir, signal, progress).then((durations) => {
          speaking = false;
          progress.report('draw', 0, 'Drawing the slides');
          drawReport?.();
          return durations;
        }),
        drawing,
      ],
      controller,
    );
    await progress.flush();

    progress.report('encode', 0, 'Encoding the video');
    const timeline = buildTimeline(durations, fps);
    const videoPath = join(workDir, 'presentation.mp4');
    const audioPath = join(workDir, 'narration.wav');
    // ffmpeg reports progress only once it has opened its output: from then on, a missing output
    // means someone removed it.
    let writing = false;
    const encodeFiles = () => [
      ...drawn.slidePaths.map((path) => ({ path, what: 'slide image' })),
      ...(drawn.overlayPath ? [{ path: drawn.overlayPath, what: 'scroll overlay' }] : []),
      { path: audioPath, what: 'narration' },
      ...(writing ? [{ path: videoPath, what: 'video being encoded' }] : []),
    ];
    await withFilesChecked(encodeFiles, signal, () =>
      encodeVideo(
        {
          slides: drawn.slidePaths.map((imagePath, index) => ({
            imagePath,
            frames: timeline.frameCounts[index] as number,
            ...(drawn.scrollPixels ? { scrollPixels: drawn.scrollPixels[index] as number } : {}),
          })),
          ...(drawn.overlayPath ? { overlayPath: drawn.overlayPath } : {}),
          audioPath,
          outputPath: videoPath,
          width,
          height,
          fps,
        },
        {
          ffmpegPath: binaries.ffmpeg,
          signal,
          onProgress: (fraction) => {
            writing = true;
            progress.report('encode', fraction, 'Encoding the video');
          },
        },
      ),
    );
    const probed = await withFilesChecked(
      () => [{ path: videoPath, what: 'encoded video' }],
      signal,
      () => probe(videoPath, { ffprobePath: binaries.ffprobe, signal }),
    );
    await progress.flush();

    progress.report('thumbnail', 0, 'Drawing the thumbnail');
    const thumbnailPath = join(workDir, 'thumbnail.png');
    await writeThumbnail(request, thumbnailPath, fonts, signal);
    progress.report('thumbnail', 1, 'Video and thumbnail ready');
    await progress.flush();

    return {
      videoPath,
      thumbnailPath,
      durationSeconds: probed.durationSeconds,
      slideCount,
      slideStartTimes: timeline.startFrames.map((frame) => Math.round((frame / fps) * 1000) / 1000),
      width,
      height,
      style: request.style,
      voice: request.voice,
      slideImagePaths: drawn.slidePaths,
    };
  } catch (error) {
    // A failed progress report aborts the render with its error, so the signal's reason covers both.
    await progress.flush().catch(() => undefined);
    if (signal.aborted) throw signal.reason;
    throw error;
  } finally {
    unlink();
  }
}
