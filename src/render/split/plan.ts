/**
 * The first run of a split render: everything of the single render (pipeline.ts) but drawing and
 * encoding the slides, which the segments do. It checks and polishes the lesson, speaks the whole
 * narration (the speech cache makes a retry cheap), builds the one timeline, the captions, the
 * chapters and the thumbnail, and cuts the shots into segments. Files land in `workDir`.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chaptersMetadata, chaptersOf, type Chapter } from '../captions/chapters.js';
import { captionCues, type CaptionCue } from '../captions/cues.js';
import { captionLanguage } from '../captions/language.js';
import { formatWebVtt } from '../captions/webvtt.js';
import { resolveFfmpegBinaries } from '../ffmpeg/binaries.js';
import { buildTimeline } from '../ffmpeg/timeline.js';
import { withDrawableImages } from '../images/drawable-images.js';
import { slideImageInfo, type SlideImageInfo } from '../images/slide-image-info.js';
import type { PresentationRequest } from '../lesson/model.js';
import { parsePresentationRequest } from '../lesson/payload.js';
import { DEFAULT_FPS, speak, type RenderPresentationOptions } from '../pipeline.js';
import { ProgressReporter } from '../progress.js';
import { revealedBullets, videoShots } from '../reveal.js';
import { videoSequence } from '../sequence.js';
import { loadSlideFonts } from '../slides/fonts.js';
import { writeThumbnail } from '../thumbnail.js';
import type { SpeechReport } from '../tts/provider-speech.js';
import { splitIntoSegments, type SegmentSpec } from './segments.js';

export interface PlannedSplitRender {
  /** The lesson as rendered (polished), before its images were made drawable: what segments parse. */
  readonly request: PresentationRequest;
  readonly fps: number;
  readonly segments: readonly SegmentSpec[];
  readonly totalFrames: number;
  readonly narrationPath: string;
  readonly thumbnailPath: string;
  readonly captionsPath: string | undefined;
  readonly subtitleLanguage: string;
  /** The FFMETADATA text with the title and chapters. */
  readonly metadata: string;
  /** All cues; a burned-captions segment takes its own share. */
  readonly cues: readonly CaptionCue[];
  readonly chapters: readonly Chapter[];
  readonly slideStartTimes: readonly number[];
  readonly speech: SpeechReport;
  readonly slideImages: readonly SlideImageInfo[];
}

const seconds = (value: number): number => Math.round(value * 1000) / 1000;

export async function planSplitRender(
  options: RenderPresentationOptions & { readonly itemsPerSegment: number; readonly signal: AbortSignal },
): Promise<PlannedSplitRender> {
  const { signal } = options;
  const progress = new ProgressReporter(options.onProgress, () => undefined);
  progress.report('plan', 0, 'Checking the lesson');
  let request = parsePresentationRequest(options.payload, options.maxScriptChars);
  const workDir = resolve(options.workDir);
  const fonts = await loadSlideFonts(options.fontDir);
  const binaries = resolveFfmpegBinaries(options);
  const fps = options.fps ?? DEFAULT_FPS;
  if (options.polish) {
    progress.report('polish', 0, 'Polishing the narration');
    const polished = await options.polish(request.lesson, signal, (done, total) =>
      progress.report('polish', done / total, `Polishing: ${done} of ${total} slides done`),
    );
    request = { ...request, lesson: polished.lesson };
    progress.report('polish', 1, polished.message, polished.data);
  }
  const rendered = request;
  const items = videoSequence(request);
  const slideImages = slideImageInfo(request.lesson);
  const lesson = await withDrawableImages(request.lesson, {
    dir: workDir,
    ffmpegPath: binaries.ffmpeg,
    signal,
  });
  const drawable = { ...request, lesson };

  progress.report('speak', 0, 'Speaking the narration');
  const { narration, speech } = await speak(drawable, items, options, workDir, signal, progress);
  const timeline = buildTimeline(narration.itemSeconds, fps);
  const bulletCounts = items.map((item) => revealedBullets(drawable, item));
  const shots = videoShots(items, bulletCounts, narration.sentences, timeline);
  const cues = request.captions === 'off' ? [] : captionCues(narration.sentences);
  const captionsPath = request.captions === 'off' ? undefined : join(workDir, 'captions.vtt');
  if (captionsPath !== undefined) await writeFile(captionsPath, formatWebVtt(cues));
  const chapters = chaptersOf(items, timeline);

  const thumbnailPath = join(workDir, 'thumbnail.png');
  await writeThumbnail(drawable, thumbnailPath, fonts, signal);
  await progress.flush();
  return {
    request: rendered,
    fps,
    segments: splitIntoSegments(shots, options.itemsPerSegment),
    totalFrames: timeline.totalFrames,
    narrationPath: join(workDir, 'narration.wav'),
    thumbnailPath,
    captionsPath,
    subtitleLanguage: captionLanguage(request.voice).iso639,
    metadata: chaptersMetadata(chapters, request.lesson.title),
    cues,
    chapters,
    slideStartTimes: items.flatMap((item, index) =>
      item.kind === 'slide' ? [seconds((timeline.startFrames[index] as number) / fps)] : [],
    ),
    speech,
    slideImages,
  };
}
