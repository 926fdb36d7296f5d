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

function frameCount(slides: readonly EncodeSlide[]): number {
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
    const number = String(segments.length + 1).padStart(3, '0');
    const segment = join(folder, `segment-${number}.mp4`);
    const { audioPath: _audio, extras: _extras, ...video } = plan;
    const burned = await burnFile(plan, options, `burned-${number}.vtt`, framesBefore, frameCount(slides));
    await runEncode(
      encodeArgs({ ...video, slides, outputPath: segment, ...(burned && { burned }) }),
      plan.fps,
      options,
      (frames) => report((framesBefore + frames) * encodingShare),
      folder,
    );
    framesBefore += frameCount(slides);
    segments.push(segment);
  }
  const listPath = join(folder, 'segments.txt');
  await writeFile(listPath, segmentList(segments));
  await runEncode(
    joinSegmentsArgs(listPath, plan.audioPath, plan.outputPath, plan.extras),
    plan.fps,
    options,
    (frames) => report(totalFrames * encodingShare + frames * (1 - encodingShare)),
    folder,
  );
  report(totalFrames);
}
