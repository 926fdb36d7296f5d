/**
 * Render: seconds of video per second of wall time for the example lesson through the real pipeline
 * (speech with eSpeak NG, slides with resvg, ffmpeg's libx264), beside the naive `-loop 1` encode of
 * the same slides and narration. No queue takes part, so --systems does not apply.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { DEFAULT_FPS } from '../../src/render/pipeline.js';
import { Recorder, type MeasuredSystem } from '../lib/results.js';
import { summarize } from '../lib/stats.js';
import { RENDER_RESOLUTION, renderOnce, type RenderRun } from './render-once.js';
import type { Scenario } from './types.js';

const RENDER_EXAMPLE = 'examples/photosynthesis.md';
const RENDER_PIPELINE: MeasuredSystem = {
  id: 'reelqueue-render',
  label: 'reelqueue render pipeline',
  role: 'reelqueue',
};
const PIPELINE_ENCODE: MeasuredSystem = {
  id: 'reelqueue-encode',
  label: "reelqueue's encode alone (tpad)",
  role: 'reelqueue',
};
const NAIVE_ENCODE: MeasuredSystem = {
  id: 'naive-encode',
  label: 'naive encode alone (-loop 1)',
  role: 'reference',
};
/** lib/goals.ts reads this metric of `reelqueue-render` for the render-speed goal. */
const RENDER_SPEED_METRIC = 'video s per wall s';

const MIB = 1024 * 1024;
const seconds = (value: number) => `${value.toFixed(2)} s`;

function record(recorder: Recorder, run: RenderRun): void {
  const speed = (wallSeconds: number) => run.videoSeconds / wallSeconds;
  const speedMetric = [RENDER_SPEED_METRIC, '× real time', 'higher'] as const;
  const ratioMetric = ['speed ÷ naive', '×', 'higher'] as const;
  // The render's wall time if its encode had taken as long as the naive one.
  const withNaiveEncode = run.pipelineSeconds - run.encode.wallSeconds + run.naiveEncode.wallSeconds;
  recorder.record(RENDER_PIPELINE, ...speedMetric, speed(run.pipelineSeconds));
  recorder.record(RENDER_PIPELINE, ...ratioMetric, withNaiveEncode / run.pipelineSeconds);
  recorder.record(PIPELINE_ENCODE, ...speedMetric, speed(run.encode.wallSeconds));
  recorder.record(PIPELINE_ENCODE, ...ratioMetric, run.naiveEncode.wallSeconds / run.encode.wallSeconds);
  recorder.record(NAIVE_ENCODE, ...speedMetric, speed(run.naiveEncode.wallSeconds));
  const encodes = [
    [PIPELINE_ENCODE, run.encode],
    [NAIVE_ENCODE, run.naiveEncode],
  ] as const;
  for (const [system, encode] of encodes) {
    if (Number.isFinite(encode.cpuSeconds))
      recorder.record(system, 'encode CPU', 's', 'lower', encode.cpuSeconds);
  }
  for (const [system, encode] of encodes) {
    recorder.record(system, 'encode peak RSS', 'MiB', 'lower', encode.peakRssBytes / MIB);
  }
  for (const [system, encode] of encodes) {
    recorder.record(system, 'output size', 'MiB', 'lower', encode.sizeBytes / MIB);
  }
}

function describe(run: RenderRun): string {
  const stages = Object.entries(run.stageSeconds)
    .map(([stage, duration]) => `${stage} ${seconds(duration)}`)
    .join(', ');
  const encode = (label: string, timing: RenderRun['encode']) =>
    `${label} ${seconds(timing.wallSeconds)} (${seconds(timing.cpuSeconds)} CPU, ` +
    `${(timing.peakRssBytes / MIB).toFixed(0)} MiB RSS)`;
  return (
    `${run.videoSeconds.toFixed(2)} s of video in ${seconds(run.pipelineSeconds)} ` +
    `(${(run.videoSeconds / run.pipelineSeconds).toFixed(1)}× real time; ${stages}); ` +
    `${encode('encode alone', run.encode)}, ${encode('naive', run.naiveEncode)}`
  );
}

export const renderScenario: Scenario = {
  id: 'render',
  title: 'Render (seconds of video per second of wall time)',
  async run(context) {
    const recorder = new Recorder();
    const runs = context.options.sizes.renderRuns;
    const markdown = await readFile(new URL(`../../${RENDER_EXAMPLE}`, import.meta.url), 'utf8');
    const loadAtStart = loadavg()[0] ?? Number.NaN;
    const videoSeconds: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const result = await renderOnce(markdown);
      record(recorder, result);
      videoSeconds.push(result.videoSeconds);
      context.log(`render run ${run}/${runs}: ${describe(result)}`);
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `${RENDER_EXAMPLE} (${summarize(videoSeconds).median.toFixed(1)} s of video) at ${RENDER_RESOLUTION}, ${DEFAULT_FPS} fps, ${runs} run(s); ${availableParallelism()} CPUs, load average ${loadAtStart.toFixed(2)} at the start.`,
        'Pipeline: `renderPresentation` in the bench process, from the lesson text to the MP4 and thumbnail, with an empty speech cache every run (eSpeak NG in WebAssembly, resvg, the bundled ffmpeg).',
        "Then the encode step alone, twice over the same images and narration: reelqueue's command (each image decoded once, held with `tpad`) and the naive one (`-loop 1 -t` per image, decoded again every frame), with the same x264 and AAC settings; CPU time and peak RSS from GNU time (/usr/bin/time).",
        'speed ÷ naive: for the encode, the naive encode time ÷ ours; for the pipeline, the render time with the naive encode in place of ours ÷ the render time.',
      ],
      measurements: recorder.summarize(),
    };
  },
};
