/**
 * Lesson → narrated MP4 and PNG thumbnail, offline, in a folder the caller owns (the worker makes it
 * with mkdtemp and removes it). Stages: plan → (polish) → speak → draw → encode → thumbnail; storing
 * the files is the caller's. Polish, when the caller gives one, rewrites the narration before
 * anything is spoken or drawn, so speech (and its cache), the captions and the slides use the polished
 * text. Every stage stops on the AbortSignal, and ffmpeg is killed and gone before this rejects.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { burnFontSize, linkFonts } from './captions/burn.js';
import { chaptersMetadata, chaptersOf, type Chapter } from './captions/chapters.js';
import { captionCues, type CaptionCue } from './captions/cues.js';
import { captionLanguage } from './captions/language.js';
import { formatWebVtt } from './captions/webvtt.js';
import { resolveFfmpegBinaries } from './ffmpeg/binaries.js';
import { withDrawableImages } from './images/drawable-images.js';
import { slideImageInfo, type SlideImageInfo } from './images/slide-image-info.js';
import { encodeVideo, type BurnOptions } from './ffmpeg/encode.js';
import { probe } from './ffmpeg/probe.js';
import { buildTimeline } from './ffmpeg/timeline.js';
import type { TtsConfig } from '../config.js';
import type { JsonObject } from '../jobs/model.js';
import type { CaptionMode, Lesson, PresentationRequest, RenderStyle } from './lesson/model.js';
import { parsePresentationRequest } from './lesson/payload.js';
import { speakSequence, type Narration } from './narration.js';
import { ProgressReporter, type ProgressListener } from './progress.js';
import { revealedBullets, videoShots } from './reveal.js';
import { withFilesChecked } from './render-failure.js';
import { videoSequence, type SequenceItem } from './sequence.js';
import { drawSlides } from './slides/draw-slides.js';
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
): Promise<{ narration: Narration; speech: SpeechReport }> {
  const speakWith = async (engine: SpeechEngine | undefined, speakSignal: AbortSignal) => {
    const synthesizer = createSpeechSynthesizer({
      cacheDir: options.ttsCacheDir,
      engine: engine ?? options.speechEngine,
    });
    try {
      return await speakSequence(items, {
        synthesizer,
        voice: request.voice,
        outputPath: join(workDir, 'narration.wav'),
        signal: speakSignal,
        onSpoken: (done, total) =>
          progress.report('speak', done / total, `Spoke ${done} of ${total} sentences`),
      });
    } finally {
      await synthesizer.close();
    }
  };
  if (!options.speechProvider) {
    return { narration: await speakWith(undefined, signal), speech: ESPEAK_SPEECH };
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
  return { narration: spoken, speech };
}

const seconds = (value: number): number => Math.round(value * 1000) / 1000;

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

    // Speech runs in a worker thread and drawing in resvg's thread pool: do both at once, but report
    // them one after the other so the stages still read plan → speak → draw.
    progress.report('speak', 0, 'Speaking the narration');
    let drawReport: (() => void) | undefined;
    let speaking = true;
    const drawing = drawSlides(request, items, {
      dir: workDir,
      fonts,
      signal,
      onDrawn: (done, total) => {
        drawReport = () => progress.report('draw', done / total, `Drew image ${done} of ${total}`);
        if (!speaking) drawReport();
      },
    });
    const [{ narration, speech }, drawn] = await allOrAbort(
      [
        speak(request, items, options, workDir, signal, progress).then((spoken) => {
          speaking = false;
          progress.report('draw', 0, 'Drawing the slides');
          drawReport?.();
          return spoken;
        }),
        drawing,
      ],
      controller,
    );
    await progress.flush();

    progress.report('encode', 0, 'Encoding the video');
    const timeline = buildTimeline(narration.itemSeconds, fps);
    const bulletCounts = items.map((item) => revealedBullets(request, item));
    const shots = videoShots(items, bulletCounts, narration.sentences, timeline);
    const videoPath = join(workDir, 'presentation.mp4');
    const audioPath = join(workDir, 'narration.wav');
    const cues = request.captions === 'off' ? [] : captionCues(narration.sentences);
    const captionsPath = request.captions === 'off' ? undefined : join(workDir, 'captions.vtt');
    if (captionsPath !== undefined) await writeFile(captionsPath, formatWebVtt(cues));
    const chapters = chaptersOf(items, timeline);
    const metadataPath = join(workDir, 'metadata.txt');
    await writeFile(metadataPath, chaptersMetadata(chapters, request.lesson.title));
    const burn: BurnOptions | undefined =
      request.captions === 'burned'
        ? { cues, fontsDirName: await linkFonts(workDir, fonts), fontSize: burnFontSize(width, height) }
        : undefined;
    // ffmpeg reports progress only once it has opened its output: from then on, a missing output
    // means someone removed it.
    let writing = false;
    const encodeFiles = () => [
      ...[...drawn.slidePaths, ...drawn.revealPaths.flat()].map((path) => ({ path, what: 'slide image' })),
      ...(drawn.overlayPath ? [{ path: drawn.overlayPath, what: 'scroll overlay' }] : []),
      { path: audioPath, what: 'narration' },
      ...(captionsPath ? [{ path: captionsPath, what: 'captions' }] : []),
      { path: metadataPath, what: 'chapters' },
      ...(writing ? [{ path: videoPath, what: 'video being encoded' }] : []),
    ];
    await withFilesChecked(encodeFiles, signal, () =>
      encodeVideo(
        {
          slides: shots.map(({ item: index, shownBullets, frames }) => ({
            imagePath:
              shownBullets === undefined
                ? (drawn.slidePaths[index] as string)
                : (drawn.revealPaths[index]?.[shownBullets - 1] as string),
            frames,
            ...(drawn.scrollPixels ? { scrollPixels: drawn.scrollPixels[index] as number } : {}),
            ...(drawn.overlaid ? { overlaid: drawn.overlaid[index] as boolean } : {}),
          })),
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
        {
          ffmpegPath: binaries.ffmpeg,
          signal,
          burn,
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
