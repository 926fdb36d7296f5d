/**
 * Runs the encode of `encode-args.ts`, reporting the fraction of frames written. ffmpeg decodes the
 * first frame of every input before it starts, so memory grows with the number of slide images in
 * one command: a lesson with more than `SLIDES_PER_PASS` slides is encoded in segments of that many
 * slides (video only, each starting on a keyframe), which are then joined without re-encoding and
 * given the narration.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cuesBetween, type CaptionCue } from '../captions/cues.js';
import { formatWebVtt } from '../captions/webvtt.js';
import {
  encodeArgs,
  joinSegmentsArgs,
  segmentList,
  type EncodePlan,
  type EncodeSlide,
} from './encode-args.js';
import { createProgressParser } from './progress.js';
import { runProcess } from './run-process.js';

/** About 5 MB of decoded image per slide at 1280×720 (more for scrolling): 8 keeps ffmpeg near 100 MB. */
export const SLIDES_PER_PASS = 8;

export interface EncodeOptions {
  readonly ffmpegPath: string;
  readonly signal?: AbortSignal | undefined;
  /** Fraction (0–1) of the video written so far. */
  readonly onProgress?: ((fraction: number) => void) | undefined;
  /** Captions to draw into the picture; the fonts folder is named relative to the output's folder. */
  readonly burn?: BurnOptions | undefined;
}

export interface BurnOptions {
  readonly cues: readonly CaptionCue[];
  readonly fontsDirName: string;
  readonly fontSize: number;
}

export function frameCount(slides: readonly EncodeSlide[]): number {
  return slides.reduce((sum, slide) => sum + slide.frames, 0);
}

/** Runs one ffmpeg command; `onFrames` gets the frames it has written. */
async function runEncode(
  args: string[],
  fps: number,
  options: EncodeOptions,
  onFrames: (frames: number) => void,
  cwd: string,
): Promise<void> {
  const parse = createProgressParser((progress) =>
    onFrames(progress.frame ?? (progress.outTimeSeconds ?? 0) * fps),
  );
  await runProcess(options.ffmpegPath, args, { signal: options.signal, onStdout: parse, cwd });
}

/** Writes the captions of frames [firstFrame, firstFrame + frames) for one command to burn in. */
async function burnFile(
  plan: EncodePlan,
  options: EncodeOptions,
  name: string,
  firstFrame: number,
  frames: number,
): Promise<EncodePlan['burned']> {
  if (options.burn === undefined) return undefined;
  const from = firstFrame / plan.fps;
  const cues = cuesBetween(options.burn.cues, from, (firstFrame + frames) / plan.fps);
  await writeFile(join(dirname(plan.outputPath), name), formatWebVtt(cues));
  return { fileName: name, fontsDirName: options.burn.fontsDirName, fontSize: options.burn.fontSize };
}

/** The concat-demuxer list of a segmented encode, in the output's folder. */
export const SEGMENT_LIST = 'segments.txt';

/** The name of the `number`th (from 1) segment file of a segmented encode, in the output's folder. */
export function segmentName(number: number): string {
  return `segment-${String(number).padStart(3, '0')}.mp4`;
}

/**
 * Encodes `slides`, the frames of the video from `firstFrame` on, into segment file `number` (video
 * only, starting on a keyframe) in the folder of `plan.outputPath`; `onFrames` gets the frames
 * written. Returns the segment's path. Segments joined by `joinSegments` make the whole video.
 */
export async function encodeSegment(
  plan: EncodePlan,
  slides: readonly EncodeSlide[],
  segment: { readonly number: number; readonly firstFrame: number },
  options: EncodeOptions,
  onFrames: (frames: number) => void,
): Promise<string> {
  const folder = dirname(plan.outputPath);
  const number = String(segment.number).padStart(3, '0');
  const segmentPath = join(folder, segmentName(segment.number));
  const { audioPath: _audio, extras: _extras, ...video } = plan;
  const burned = await burnFile(
    plan,
    options,
    `burned-${number}.vtt`,
    segment.firstFrame,
    frameCount(slides),
  );
  await runEncode(
    encodeArgs({ ...video, slides, outputPath: segmentPath, ...(burned && { burned }) }),
    plan.fps,
    options,
    onFrames,
    folder,
  );
  return segmentPath;
}

/** Joins segment files into `plan.outputPath` without re-encoding them, with the narration and extras. */
export async function joinSegments(
  plan: EncodePlan,
  segmentPaths: readonly string[],
  options: EncodeOptions,
  onFrames: (frames: number) => void,
): Promise<void> {
  if (plan.audioPath === undefined) throw new Error('a segmented encode needs the narration');
  const folder = dirname(plan.outputPath);
  const listPath = join(folder, SEGMENT_LIST);
  await writeFile(listPath, segmentList(segmentPaths));
  await runEncode(
    joinSegmentsArgs(listPath, plan.audioPath, plan.outputPath, plan.extras),
    plan.fps,
    options,
    onFrames,
    folder,
  );
}

export async function encodeVideo(plan: EncodePlan, options: EncodeOptions): Promise<void> {
  const totalFrames = frameCount(plan.slides);
  const report = (frames: number): void => options.onProgress?.(Math.min(1, frames / totalFrames));
  const folder = dirname(plan.outputPath);
  if (plan.slides.length <= SLIDES_PER_PASS) {
    const burned = await burnFile(plan, options, 'burned.vtt', 0, totalFrames);
    await runEncode(encodeArgs({ ...plan, ...(burned && { burned }) }), plan.fps, options, report, folder);
    report(totalFrames);
    return;
  }
  if (plan.audioPath === undefined) throw new Error('a segmented encode needs the narration');
  const segments: string[] = [];
  // The join copies the video and encodes only the audio: count it as the last 2% of the work.
  const encodingShare = 0.98;
  let framesBefore = 0;
  for (let start = 0; start < plan.slides.length; start += SLIDES_PER_PASS) {
    const slides = plan.slides.slice(start, start + SLIDES_PER_PASS);
    const segment = { number: segments.length + 1, firstFrame: framesBefore };
    segments.push(
      await encodeSegment(plan, slides, segment, options, (frames) =>
        report((framesBefore + frames) * encodingShare),
      ),
    );
    framesBefore += frameCount(slides);
  }
  await joinSegments(plan, segments, options, (frames) =>
    report(totalFrames * encodingShare + frames * (1 - encodingShare)),
  );
  report(totalFrames);
}
