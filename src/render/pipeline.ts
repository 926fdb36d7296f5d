/**
 * Lesson → narrated MP4 and PNG thumbnail, offline, in a folder the caller owns (the worker makes it
 * with mkdtemp and removes it). Stages: plan → (polish) → speak → draw → encode → thumbnail, where
 * speaking, drawing and encoding overlap (the first slides' video is encoded while the next are
 * spoken); storing the files is the caller's. Polish, when the caller gives one, rewrites the narration before
 * anything is spoken or drawn, so speech (and its cache), the captions and the slides use the polished
 * text. Every stage stops on the AbortSignal, and ffmpeg is killed and gone before this rejects.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { burnFontSize, linkFonts } from './captions/burn.js';
import { chaptersMetadata, chaptersOf, type Chapter } from './captions/chapters.js';
import { encodeWhileSpeaking, SpeechFeed } from './encode-while-speaking.js';
import { captionCues, type CaptionCue } from './captions/cues.js';
import { captionLanguage } from './captions/language.js';
import { formatWebVtt } from './captions/webvtt.js';
import { resolveFfmpegBinaries } from './ffmpeg/binaries.js';
import { withDrawableImages } from './images/drawable-images.js';
import { slideImageInfo, type SlideImageInfo } from './images/slide-image-info.js';
import { probe } from './ffmpeg/probe.js';
import { buildTimeline } from './ffmpeg/timeline.js';
import type { TtsConfig } from '../config.js';
import type { JsonObject } from '../jobs/model.js';
import type { CaptionMode, Lesson, PresentationRequest, RenderStyle } from './lesson/model.js';
import { parsePresentationRequest } from './lesson/payload.js';
import { speakSequence, type Narration } from './narration.js';
import { ProgressReporter, type ProgressListener } from './progress.js';
import { revealedBullets } from './reveal.js';
import { withFilesChecked } from './render-failure.js';
import { videoSequence, type SequenceItem } from './sequence.js';
import { drawSlides } from './slides/draw-slides.js';
import { reportedInTurn } from './stages-in-turn.js';
import { loadSlideFonts } from './slides/fonts.js';
import { writeThumbnail } from './thumbnail.js';
import type { SpeechEngine } from './tts/engine.js';
import { ESPEAK_SPEECH, speakThroughProvider, type SpeechReport } from './tts/provider-speech.js';
import { createSpeechSynthesizer } from './tts/synthesize.js';

export const DEFAULT_FPS = 25;

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
  /** Defaults to eSpeak NG in WebAssembly; with `speechProvider`, the engine of its fallback. */
  readonly speechEngine?: SpeechEngine | undefined;
  /** TTS_BASE_URL …: an OpenAI-compatible speech endpoint speaks instead of eSpeak NG. */
  readonly speechProvider?: TtsConfig | undefined;
  /** The polish stage; without it the narration is rendered as written. */
  readonly polish?: LessonPolisher | undefined;
  /** LESSON_MAX_SCRIPT_CHARS; default `LESSON_LIMITS.maxScriptChars`. */
  readonly maxScriptChars?: number | undefined;
}

export interface RenderedPresentation {
  readonly videoPath: string;
  readonly thumbnailPath: string;
  readonly durationSeconds: number;
  /** The lesson's slides (the title and closing slides not counted). */
  readonly slideCount: number;
  /** When each of the lesson's slides appears in the video, in seconds. */
  readonly slideStartTimes: readonly number[];
  /** When each image of `slideImagePaths` appears, in seconds (with the title and closing slides). */
  readonly imageStartTimes: readonly number[];
  readonly captionMode: CaptionMode;
  /** The captions as WebVTT, in `workDir`; undefined when they are off. */
  readonly captionsPath: string | undefined;
  readonly captionCues: readonly CaptionCue[];
  /** One per slide, and one for the title slide; the last runs to the end of the video. */
  readonly chapters: readonly Chapter[];
  readonly width: number;
  readonly height: number;
  readonly style: RenderStyle;
  readonly voice: string;
  /** Which engine spoke (`engine`: `espeak-ng` or `provider`), and why eSpeak NG did if it stood in. */
  readonly speech: SpeechReport;
  /** Every drawn image in the order shown (title slide, slides, closing slide), in `workDir`. */
  readonly slideImagePaths: readonly string[];
  /** The lesson's slides that show an image, with its alt text. */
  readonly slideImages: readonly SlideImageInfo[];
}

function linkedController(signal: AbortSignal | undefined): { controller: AbortController; unlink(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return { controller, unlink: () => signal?.removeEventListener('abort', onAbort) };
}

export async function speak(
  request: PresentationRequest,
  items: readonly SequenceItem[],
  options: RenderPresentationOptions,
  workDir: string,
  signal: AbortSignal,
  progress: ProgressReporter,
  onItemsSpoken?: (spoken: Narration, attempt: number) => void,
): Promise<{ narration: Narration; speech: SpeechReport; attempt: number }> {
  let attempt = 0;
  const speakWith = async (engine: SpeechEngine | undefined, speakSignal: AbortSignal) => {
    const synthesizer = createSpeechSynthesizer({
      cacheDir: options.ttsCacheDir,
      engine: engine ?? options.speechEngine,
    });
    // A fallback to eSpeak NG speaks everything again: what the provider spoke no longer counts.
    const thisAttempt = ++attempt;
    try {
      return await speakSequence(items, {
        synthesizer,
        voice: request.voice,
        outputPath: join(workDir, 'narration.wav'),
        signal: speakSignal,
        onSpoken: (done, total) =>
          progress.report('speak', done / total, `Spoke ${done} of ${total} sentences`),
        ...(onItemsSpoken && { onItemsSpoken: (spoken: Narration) => onItemsSpoken(spoken, thisAttempt) }),
      });
    } finally {
      await synthesizer.close();
    }
  };
  if (!options.speechProvider) {
    return { narration: await speakWith(undefined, signal), speech: ESPEAK_SPEECH, attempt };
  }
  const { spoken, speech } = await speakThroughProvider(
    {
      endpoint: options.speechProvider,
      voice: request.voice,
      signal,
      onFallback: (message, data) => progress.report('speak', 0, message, data),
    },
    speakWith,
  );
  return { narration: spoken, speech, attempt };
}

const seconds = (value: number): number => Math.round(value * 1000) / 1000;

/** Every result; if one fails, the others are aborted and awaited before the first error is thrown. */
async function allOrAbort<T extends readonly unknown[]>(
  tasks: { readonly [K in keyof T]: Promise<T[K]> },
  controller: AbortController,
): Promise<T> {
  const failFast = tasks.map((task: Promise<unknown>) =>
    task.catch((error: unknown) => {
      controller.abort(error);
      throw error;
    }),
  );
  const settled = await Promise.allSettled(failFast);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export async function renderPresentation(options: RenderPresentationOptions): Promise<RenderedPresentation> {
  const { controller, unlink } = linkedController(options.signal);
  const { signal } = controller;
  const progress = new ProgressReporter(options.onProgress, (error) => controller.abort(error));
  try {
    signal.throwIfAborted();
    progress.report('plan', 0, 'Checking the lesson');
    let request = parsePresentationRequest(options.payload, options.maxScriptChars);
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

    // After the polish: the sequence carries the narration that is spoken and captioned.
    const items = videoSequence(request);
    const slideImages = slideImageInfo(request.lesson);
    // Slide images resvg cannot draw (WebP) become PNGs first; the slides and the thumbnail use them.
    const lesson = await withDrawableImages(request.lesson, {
      dir: workDir,
      ffmpegPath: binaries.ffmpeg,
      signal,
    });
    request = { ...request, lesson };

    // Speech runs in worker threads, drawing in resvg's thread pool and the encode in ffmpeg: all at
    // once, the video of the first slides encoded while the next are spoken (encode-while-speaking.ts).
    // They are reported one after the other, so the stages still read plan → speak → draw → encode.
    const videoPath = join(workDir, 'presentation.mp4');
    const audioPath = join(workDir, 'narration.wav');
    const captionsPath = request.captions === 'off' ? undefined : join(workDir, 'captions.vtt');
    const metadataPath = join(workDir, 'metadata.txt');
    const burn =
      request.captions === 'burned'
        ? { fontsDirName: await linkFonts(workDir, fonts), fontSize: burnFontSize(width, height) }
        : undefined;
    const bulletCounts = items.map((item) => revealedBullets(request, item));
    const feed = new SpeechFeed();
    const stages = reportedInTurn(progress);

    progress.report('speak', 0, 'Speaking the narration');
    const drawing = drawSlides(request, items, {
      dir: workDir,
      fonts,
      signal,
      onDrawn: (done, total) => stages.drew(done, total),
    });
    const speaking = speak(request, items, options, workDir, signal, progress, (narration, attempt) =>
      feed.update({ narration, whole: false, attempt }),
    ).then(
      async ({ narration, speech, attempt }) => {
        stages.spoke();
        // The captions and chapters come from the whole narration; the join muxes them in.
        const timeline = buildTimeline(narration.itemSeconds, fps);
        const cues = request.captions === 'off' ? [] : captionCues(narration.sentences);
        if (captionsPath !== undefined) await writeFile(captionsPath, formatWebVtt(cues));
        const chapters = chaptersOf(items, timeline);
        await writeFile(metadataPath, chaptersMetadata(chapters, request.lesson.title));
        stages.encodeSized(timeline.totalFrames);
        feed.update({ narration, whole: true, attempt });
        return { speech, timeline, cues, chapters };
      },
      (error: unknown) => {
        feed.fail(error);
        throw error;
      },
    );
    const encoding = drawing.then(async (drawn) => {
      stages.drawn();
      await encodeWhileSpeaking({
        items,
        bulletCounts,
        drawn,
        plan: {
          ...(drawn.overlayPath ? { overlayPath: drawn.overlayPath } : {}),
          audioPath,
          outputPath: videoPath,
          width,
          height,
          fps,
          extras: {
            ...(captionsPath && {
              subtitlesPath: captionsPath,
              subtitleLanguage: captionLanguage(request.voice).iso639,
            }),
            metadataPath,
          },
        },
        burn,
        feed,
        ffmpegPath: binaries.ffmpeg,
        signal,
        onFrames: (frames) => stages.encoded(frames),
      });
      return drawn;
    });
    const [{ speech, timeline, cues, chapters }, drawn] = await allOrAbort<
      [Awaited<typeof speaking>, Awaited<typeof encoding>]
    >([speaking, encoding], controller);
    stages.encodedAll();
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
      slideStartTimes: items.flatMap((item, index) =>
        item.kind === 'slide' ? [seconds((timeline.startFrames[index] as number) / fps)] : [],
      ),
      imageStartTimes: timeline.startFrames.map((frame) => seconds(frame / fps)),
      captionMode: request.captions,
      captionsPath,
      captionCues: cues,
      chapters,
      width,
      height,
      style: request.style,
      voice: request.voice,
      speech,
      slideImagePaths: drawn.slidePaths,
      slideImages,
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
