/**
 * What a render of the example lesson costs, this tree's pipeline beside another checkout's (e.g. the
 * commit before a change), renders interleaved in one process: wall time (× real time), CPU seconds
 * of the whole process and the ffmpeg children it waited for (per minute of video), and when each
 * stage first reported, from the start of the render. One warm-up render of each first (the speech
 * engine's WebAssembly compiles once per process and pipeline module). Every render has an empty
 * speech cache.
 *
 *   npx tsx bench/tools/render-cost.ts --baseline /tmp/rq-render-baseline --runs 5
 *
 * `--baseline` is a folder holding another reelqueue's `src/` (e.g. `git archive <commit> src | tar
 * -x -C <dir>` with a `node_modules` link); without it only this tree is measured.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

interface Pipeline {
  renderPresentation(options: {
    payload: unknown;
    workDir: string;
    ttsCacheDir: string;
    onProgress?: (stage: string) => void;
  }): Promise<{ durationSeconds: number; imageStartTimes: readonly number[] }>;
}

/**
 * User + system seconds of this process (all its threads: speech workers, resvg, the event loop) and
 * of the children it has waited for (ffmpeg, ffprobe).
 */
function cpuTimes(): { own: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const ticks = (indices: number[]) => indices.reduce((sum, index) => sum + (fields[index] ?? 0), 0);
  return { own: ticks([11, 12]) / 100, children: ticks([13, 14]) / 100 };
}

interface Sample {
  tree: string;
  wall: number;
  cpu: number;
  /** Of `cpu`, the ffmpeg and ffprobe children's. */
  childCpu: number;
  video: number;
  load: number;
  stages: Record<string, number>;
  starts: readonly number[];
}

async function renderOnce(tree: string, pipeline: Pipeline, markdown: string): Promise<Sample> {
  const workDir = await mkdtemp(join(tmpdir(), 'rq-render-cost-'));
  const ttsCacheDir = await mkdtemp(join(tmpdir(), 'rq-render-cost-tts-'));
  try {
    const stages: Record<string, number> = {};
    const load = loadavg()[0] ?? Number.NaN;
    const cpuBefore = cpuTimes();
    const started = performance.now();
    const result = await pipeline.renderPresentation({
      payload: { markdown, resolution: '1280x720' },
      workDir,
      ttsCacheDir,
      onProgress(stage) {
        stages[stage] ??= (performance.now() - started) / 1000;
      },
    });
    const wall = (performance.now() - started) / 1000;
    const cpuAfter = cpuTimes();
    const childCpu = cpuAfter.children - cpuBefore.children;
    return {
      tree,
      wall,
      cpu: cpuAfter.own - cpuBefore.own + childCpu,
      childCpu,
      video: result.durationSeconds,
      load,
      stages,
      starts: result.imageStartTimes,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await rm(ttsCacheDir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { baseline: { type: 'string' }, runs: { type: 'string', default: '5' } },
  });
  const here = resolve(import.meta.dirname, '../..');
  const trees: [string, string][] = [['this tree', here]];
  if (values.baseline) trees.unshift(['baseline', resolve(values.baseline)]);
  const pipelines = new Map<string, Pipeline>();
  for (const [name, root] of trees) {
    pipelines.set(name, (await import(pathToFileURL(join(root, 'src/render/pipeline.ts')).href)) as Pipeline);
  }
  const markdown = await readFile(join(here, 'examples/photosynthesis.md'), 'utf8');
  for (const [name] of trees) await renderOnce(name, pipelines.get(name) as Pipeline, markdown);
  const samples: Sample[] = [];
  const runs = Number(values.runs);
  for (let run = 0; run < runs; run++) {
    // Alternate which goes first, so a load that rises or falls over the run favours neither.
    const order = run % 2 === 0 ? trees : [...trees].reverse();
    for (const [name] of order) {
      const sample = await renderOnce(name, pipelines.get(name) as Pipeline, markdown);
      samples.push(sample);
      const stages = Object.entries(sample.stages)
        .map(([stage, at]) => `${stage}@${at.toFixed(2)}`)
        .join(' ');
      console.log(
        `${name.padEnd(9)} ${(sample.video / sample.wall).toFixed(1)}× real time, ${sample.wall.toFixed(2)} s wall, ` +
          `${sample.cpu.toFixed(2)} CPU s (${((sample.cpu * 60) / sample.video).toFixed(1)} per video min; ` +
          `ffmpeg ${sample.childCpu.toFixed(2)}, rest ${(sample.cpu - sample.childCpu).toFixed(2)}), ` +
          `${sample.video.toFixed(2)} s video, load ${sample.load.toFixed(2)}; ${stages}`,
      );
    }
  }
  for (const [name] of trees) {
    const own = samples.filter((sample) => sample.tree === name);
    const speeds = own.map((sample) => sample.video / sample.wall);
    const cpuPerMinute = own.map((sample) => (sample.cpu * 60) / sample.video);
    console.log(
      `${name}: median ${median(speeds).toFixed(1)}× real time (${Math.min(...speeds).toFixed(1)}–${Math.max(...speeds).toFixed(1)}), ` +
        `median ${median(cpuPerMinute).toFixed(1)} CPU s per video minute ` +
        `(ffmpeg ${median(own.map((sample) => sample.childCpu)).toFixed(2)} s, ` +
        `rest ${median(own.map((sample) => sample.cpu - sample.childCpu)).toFixed(2)} s a render), ` +
        // The draw stage is first reported when the narration is whole: speech's end, then the rest.
        `speech whole at ${median(own.map((sample) => sample.stages.draw ?? Number.NaN)).toFixed(2)} s, ` +
        `then ${median(own.map((sample) => sample.wall - (sample.stages.draw ?? Number.NaN))).toFixed(2)} s to the end, ` +
        `load ${Math.min(...own.map((sample) => sample.load)).toFixed(2)}–${Math.max(...own.map((sample) => sample.load)).toFixed(2)}; ` +
        `durations ${[...new Set(own.map((sample) => sample.video.toFixed(3)))].join(', ')} s; ` +
        `image starts ${[...new Set(own.map((sample) => sample.starts.join(',')))].join(' | ')}`,
    );
  }
}

await main();
