/**
 * Render benchmark: seconds of video per second of wall time for examples/photosynthesis.md at
 * 1280×720, beside the naive encode of the same slides (`-loop 1` per image, every frame decoded again)
 * with the same encoder settings. Reports the best of several runs, peak RSS and output size.
 *
 *   npx tsx bench/render.ts [--runs 3] [--json bench/results/render.json]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFfmpegBinaries } from '../src/render/ffmpeg/binaries.js';
import { encodeArgs, type EncodePlan } from '../src/render/ffmpeg/encode-args.js';
import { renderPresentation } from '../src/render/pipeline.js';
import type { RenderStage } from '../src/render/progress.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, json: { type: 'string' }, example: { type: 'string' } },
});
const runs = Number(values.runs);
const example = values.example ?? 'examples/photosynthesis.md';
const binaries = resolveFfmpegBinaries();

const TIME = '/usr/bin/time';

/**
 * Runs ffmpeg under GNU time when it is installed, for its exact CPU time and peak RSS; otherwise
 * peak RSS is sampled from /proc while it runs.
 */
async function timeFfmpeg(args: string[]): Promise<{ seconds: number; cpuSeconds: number; peakRss: number }> {
  const timed = existsSync(TIME);
  const started = performance.now();
  const child = timed
    ? spawn(TIME, ['-f', 'RQ_TIME %U %S %M', binaries.ffmpeg, ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn(binaries.ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let sampledKb = 0;
  const sampler = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8')
      .then((status) => (sampledKb = Math.max(sampledKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))))
      .catch(() => undefined);
  }, 10);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`ffmpeg failed: ${stderr}`);
  const [user, system, maxKb] = (/RQ_TIME (\S+) (\S+) (\d+)/.exec(stderr) ?? []).slice(1).map(Number);
  return {
    seconds,
    cpuSeconds: timed ? (user ?? 0) + (system ?? 0) : Number.NaN,
    peakRss: (timed ? (maxKb ?? 0) : sampledKb) * 1024,
  };
}

/** The naive form: each image given with `-loop 1 -t <seconds>`, decoded and converted for every frame. */
function naiveArgs(plan: EncodePlan & { audioPath: string }): string[] {
  const ours = encodeArgs(plan);
  const inputs = plan.slides.flatMap((slide) => [
    '-loop',
    '1',
    '-framerate',
    String(plan.fps),
    '-t',
    (slide.frames / plan.fps).toFixed(6),
    '-i',
    slide.imagePath,
  ]);
  const labels = plan.slides.map((_, index) => `[${index}:v]`).join('');
  const graph = `${labels}concat=n=${plan.slides.length}:v=1:a=0,format=yuv420p,setsar=1[v]`;
  const output = ours.slice(ours.indexOf('-map'));
  output[output.length - 1] = plan.outputPath.replace(/\.mp4$/, '-naive.mp4');
  // prettier-ignore
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', ...inputs, '-i', plan.audioPath, '-filter_complex', graph, ...output];
}

interface RunResult {
  wallSeconds: number;
  videoSeconds: number;
  stageSeconds: Partial<Record<RenderStage, number>>;
  encodeSeconds: number;
  encodeCpuSeconds: number;
  encodePeakRss: number;
  naiveEncodeSeconds: number;
  naiveEncodeCpuSeconds: number;
  naivePeakRss: number;
  sizeBytes: number;
  naiveSizeBytes: number;
  nodePeakRss: number;
}

async function once(markdown: string, index: number): Promise<RunResult> {
  const workDir = await mkdtemp(join(tmpdir(), 'rq-bench-'));
  const ttsCacheDir = await mkdtemp(join(tmpdir(), 'rq-bench-tts-'));
  try {
    const stageStarts = new Map<RenderStage, number>();
    const started = performance.now();
    const result = await renderPresentation({
      payload: { markdown, resolution: '1280x720' },
      workDir,
      ttsCacheDir,
      onProgress(stage) {
        if (!stageStarts.has(stage)) stageStarts.set(stage, performance.now());
      },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const order: RenderStage[] = ['plan', 'speak', 'draw', 'encode', 'thumbnail'];
    const stageSeconds: Partial<Record<RenderStage, number>> = {};
    for (const [position, stage] of order.entries()) {
      const next = order[position + 1];
      const end = next ? stageStarts.get(next) : started + wallSeconds * 1000;
      stageSeconds[stage] = ((end ?? 0) - (stageStarts.get(stage) ?? 0)) / 1000;
    }
    const fps = 25;
    const frames = result.slideStartTimes.map((start, slide) =>
      Math.round(((result.slideStartTimes[slide + 1] ?? result.durationSeconds) - start) * fps),
    );
    const plan: EncodePlan & { audioPath: string } = {
      slides: result.slideImagePaths.map((imagePath, slide) => ({
        imagePath,
        frames: frames[slide] as number,
      })),
      audioPath: join(workDir, 'narration.wav'),
      outputPath: join(workDir, 'presentation.mp4'),
      width: result.width,
      height: result.height,
      fps,
    };
    // Both encodes again, alone, for a like-for-like comparison of the encode step.
    const ours = await timeFfmpeg(
      encodeArgs({ ...plan, outputPath: join(workDir, 'again.mp4') }).filter((arg) => arg !== ''),
    );
    const naive = await timeFfmpeg(naiveArgs(plan));
    const run: RunResult = {
      wallSeconds,
      videoSeconds: result.durationSeconds,
      stageSeconds,
      encodeSeconds: ours.seconds,
      encodeCpuSeconds: ours.cpuSeconds,
      encodePeakRss: ours.peakRss,
      naiveEncodeSeconds: naive.seconds,
      naiveEncodeCpuSeconds: naive.cpuSeconds,
      naivePeakRss: naive.peakRss,
      sizeBytes: (await stat(result.videoPath)).size,
      naiveSizeBytes: (await stat(join(workDir, 'presentation-naive.mp4'))).size,
      nodePeakRss: process.resourceUsage().maxRSS * 1024,
    };
    console.log(
      `run ${index + 1}: ${run.videoSeconds.toFixed(2)} s of video in ${run.wallSeconds.toFixed(2)} s ` +
        `(${(run.videoSeconds / run.wallSeconds).toFixed(1)}x); encode ${run.encodeSeconds.toFixed(2)} s ` +
        `(${run.encodeCpuSeconds.toFixed(2)} s CPU), naive encode ${run.naiveEncodeSeconds.toFixed(2)} s ` +
        `(${run.naiveEncodeCpuSeconds.toFixed(2)} s CPU); stages ${JSON.stringify(
          Object.fromEntries(
            Object.entries(stageSeconds).map(([stage, seconds]) => [stage, Number(seconds.toFixed(3))]),
          ),
        )}`,
    );
    return run;
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await rm(ttsCacheDir, { recursive: true, force: true });
  }
}

const loadAtStart = (await import('node:os')).loadavg()[0];
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const markdown = await readFile(example, 'utf8');
const results: RunResult[] = [];
for (let index = 0; index < runs; index++) results.push(await once(markdown, index));
const best = <K extends keyof RunResult>(key: K): RunResult =>
  results.reduce((a, b) => ((a[key] as number) <= (b[key] as number) ? a : b));
const fastest = best('wallSeconds');
const fastestEncode = best('encodeSeconds');
const fastestNaive = best('naiveEncodeSeconds');
const summary = {
  example,
  resolution: '1280x720',
  fps: 25,
  runs,
  loadAverageAtStart: loadAtStart,
  cpus: (await import('node:os')).availableParallelism(),
  videoSeconds: fastest.videoSeconds,
  pipeline: {
    wallSeconds: fastest.wallSeconds,
    realTimeFactor: fastest.videoSeconds / fastest.wallSeconds,
    stageSeconds: fastest.stageSeconds,
  },
  encode: {
    seconds: fastestEncode.encodeSeconds,
    cpuSeconds: Math.min(...results.map((run) => run.encodeCpuSeconds)),
    realTimeFactor: fastest.videoSeconds / fastestEncode.encodeSeconds,
    peakRss: Math.max(...results.map((run) => run.encodePeakRss)),
    sizeBytes: fastest.sizeBytes,
  },
  naiveLoopEncode: {
    seconds: fastestNaive.naiveEncodeSeconds,
    cpuSeconds: Math.min(...results.map((run) => run.naiveEncodeCpuSeconds)),
    realTimeFactor: fastest.videoSeconds / fastestNaive.naiveEncodeSeconds,
    peakRss: Math.max(...results.map((run) => run.naivePeakRss)),
    sizeBytes: fastest.naiveSizeBytes,
  },
  speedupOverNaive: fastestNaive.naiveEncodeSeconds / fastestEncode.encodeSeconds,
  cpuSpeedupOverNaive:
    Math.min(...results.map((run) => run.naiveEncodeCpuSeconds)) /
    Math.min(...results.map((run) => run.encodeCpuSeconds)),
  pipelineSpeedupOverNaive:
    (fastest.wallSeconds - fastestEncode.encodeSeconds + fastestNaive.naiveEncodeSeconds) /
    fastest.wallSeconds,
  nodePeakRss: Math.max(...results.map((run) => run.nodePeakRss)),
};
console.log(
  [
    '',
    `${example} at 1280x720, ${summary.videoSeconds.toFixed(2)} s of video, best of ${runs} on ${summary.cpus} CPUs (load average ${loadAtStart?.toFixed(2)} at start):`,
    `  whole render (speak, draw, encode, thumbnail): ${summary.pipeline.wallSeconds.toFixed(2)} s wall = ${summary.pipeline.realTimeFactor.toFixed(1)}x real time`,
    `  encode (tpad):     ${summary.encode.seconds.toFixed(2)} s = ${summary.encode.realTimeFactor.toFixed(1)}x real time, ${summary.encode.cpuSeconds.toFixed(2)} s CPU, peak RSS ${mib(summary.encode.peakRss)}, ${mib(summary.encode.sizeBytes)}`,
    `  encode (-loop 1):  ${summary.naiveLoopEncode.seconds.toFixed(2)} s = ${summary.naiveLoopEncode.realTimeFactor.toFixed(1)}x real time, ${summary.naiveLoopEncode.cpuSeconds.toFixed(2)} s CPU, peak RSS ${mib(summary.naiveLoopEncode.peakRss)}, ${mib(summary.naiveLoopEncode.sizeBytes)}`,
    `  tpad vs -loop 1: ${summary.speedupOverNaive.toFixed(2)}x faster encode (${summary.cpuSpeedupOverNaive.toFixed(2)}x less CPU); whole render ${summary.pipelineSpeedupOverNaive.toFixed(2)}x faster`,
    `  node peak RSS ${mib(summary.nodePeakRss)}`,
  ].join('\n'),
);
if (values.json) {
  await mkdir(dirname(values.json), { recursive: true });
  await writeFile(values.json, `${JSON.stringify(summary, null, 2)}\n`);
}
