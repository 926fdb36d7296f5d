/**
 * One measured render for the render scenario: the lesson through the real pipeline
 * (`renderPresentation`: speech, slides, encode, thumbnail) with an empty speech cache, then the
 * encode step again on its own twice over the same slides and narration — the pipeline's command
 * and the naive `-loop 1` one — for a like-for-like comparison of the encode.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpegBinaries } from '../../src/render/ffmpeg/binaries.js';
import { encodeArgs } from '../../src/render/ffmpeg/encode-args.js';
import { DEFAULT_FPS, renderPresentation, type RenderedPresentation } from '../../src/render/pipeline.js';
import { RENDER_STAGES, type RenderStage } from '../../src/render/progress.js';
import { timeCommand, type CommandTiming } from '../lib/timed-command.js';
import { naiveEncodeArgs, type NarratedEncodePlan } from './render-naive-encode.js';

export const RENDER_RESOLUTION = '1280x720';

export interface EncodeRun extends CommandTiming {
  sizeBytes: number;
}

export interface RenderRun {
  videoSeconds: number;
  /** The whole `renderPresentation` call. */
  pipelineSeconds: number;
  /** From each stage's first progress report to the next stage's (speak and draw overlap). */
  stageSeconds: Partial<Record<RenderStage, number>>;
  /** The pipeline's encode command, run again alone. */
  encode: EncodeRun;
  naiveEncode: EncodeRun;
}

/** The stages that ran (polish runs only with LLM polish), each until the next one that ran. */
function stageDurations(
  firstReports: Map<RenderStage, number>,
  endedAt: number,
): Partial<Record<RenderStage, number>> {
  const durations: Partial<Record<RenderStage, number>> = {};
  const ran = RENDER_STAGES.filter((stage) => firstReports.has(stage));
  for (const [position, stage] of ran.entries()) {
    const next = ran[position + 1];
    const end = (next ? firstReports.get(next) : endedAt) ?? Number.NaN;
    durations[stage] = (end - (firstReports.get(stage) ?? Number.NaN)) / 1000;
  }
  return durations;
}

/** The static-slide encode the pipeline ran, rebuilt from its result (frames from the slide start times). */
function encodePlanOf(result: RenderedPresentation, workDir: string, fps: number): NarratedEncodePlan {
  const starts = result.imageStartTimes;
  return {
    slides: result.slideImagePaths.map((imagePath, slide) => ({
      imagePath,
      frames: Math.round(((starts[slide + 1] ?? result.durationSeconds) - (starts[slide] ?? 0)) * fps),
    })),
    audioPath: join(workDir, 'narration.wav'),
    outputPath: join(workDir, 'unused.mp4'),
    width: result.width,
    height: result.height,
    fps,
  };
}

async function timedEncode(ffmpeg: string, args: string[], outputPath: string): Promise<EncodeRun> {
  const timing = await timeCommand(ffmpeg, args);
  return { ...timing, sizeBytes: (await stat(outputPath)).size };
}

export async function renderOnce(markdown: string): Promise<RenderRun> {
  const workDir = await mkdtemp(join(tmpdir(), 'rq-bench-render-'));
  const ttsCacheDir = await mkdtemp(join(tmpdir(), 'rq-bench-tts-'));
  try {
    const fps = DEFAULT_FPS;
    const firstReports = new Map<RenderStage, number>();
    const started = performance.now();
    const result = await renderPresentation({
      payload: { markdown, resolution: RENDER_RESOLUTION },
      workDir,
      ttsCacheDir,
      fps,
      onProgress(stage) {
        if (!firstReports.has(stage)) firstReports.set(stage, performance.now());
      },
    });
    const ended = performance.now();
    if (result.style !== 'default')
      throw new Error(`the render bench expects static slides, not ${result.style}`);

    const { ffmpeg } = resolveFfmpegBinaries();
    const plan = encodePlanOf(result, workDir, fps);
    const oursPath = join(workDir, 'again.mp4');
    const naivePath = join(workDir, 'naive.mp4');
    const encode = await timedEncode(ffmpeg, encodeArgs({ ...plan, outputPath: oursPath }), oursPath);
    const naiveEncode = await timedEncode(
      ffmpeg,
      naiveEncodeArgs({ ...plan, outputPath: naivePath }),
      naivePath,
    );
    return {
      videoSeconds: result.durationSeconds,
      pipelineSeconds: (ended - started) / 1000,
      stageSeconds: stageDurations(firstReports, ended),
      encode,
      naiveEncode,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await rm(ttsCacheDir, { recursive: true, force: true });
  }
}
