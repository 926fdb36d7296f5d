/**
 * Split render: the 20-minute example lesson rendered as one job by one worker process, and split
 * (src/render/split) with 1, 2 and 4 worker processes that share nothing but the PostgreSQL
 * database (each its own data folder and speech cache, as separate hosts would). Wall time, seconds
 * of video per wall second, CPU seconds (the workers and their ffmpeg children) per video minute,
 * and the plan's, each segment's (draw/encode/store) and the join's timings, from which a wider
 * fleet's time follows.
 *
 * Opt-in (`npm run bench -- --only split-render`): it renders the lesson four times. SPLIT_BENCH_SLIDES
 * renders only the lesson's first N slides (a smaller run on a loaded machine); `--quick` is the
 * first 8 slides.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { WorkerProcess } from '../lib/child-process.js';
import { Recorder, type MeasuredSystem } from '../lib/results.js';
import { scratchDatabase } from '../lib/scratch-database.js';
import { REELQUEUE_CLI } from '../systems/reelqueue.js';
import type { Scenario } from './types.js';

const EXAMPLE = 'examples/electricity-long-lesson.md';

interface Setup {
  readonly system: MeasuredSystem;
  readonly split: boolean;
  readonly workers: number;
}

const SETUPS: readonly Setup[] = [
  {
    system: { id: 'single-1', label: 'one job, 1 worker process', role: 'reelqueue' },
    split: false,
    workers: 1,
  },
  { system: { id: 'split-1', label: 'split, 1 worker process', role: 'reelqueue' }, split: true, workers: 1 },
  {
    system: { id: 'split-2', label: 'split, 2 worker processes', role: 'reelqueue' },
    split: true,
    workers: 2,
  },
  {
    system: { id: 'split-4', label: 'split, 4 worker processes', role: 'reelqueue' },
    split: true,
    workers: 4,
  },
];

/** User + system CPU seconds of a process and of the children it has waited for (ffmpeg). */
function processTreeCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

/** The example as Markdown, cut to its first `slides` slides when given. */
function lessonMarkdown(slides: number | undefined): string {
  const text = readFileSync(new URL(`../../${EXAMPLE}`, import.meta.url), 'utf8');
  if (slides === undefined) return text;
  const parts = text.split(/\n(?=## )/);
  return parts.slice(0, slides + 1).join('\n');
}

/** `--quick` renders this many slides of the lesson unless SPLIT_BENCH_SLIDES says otherwise. */
const QUICK_SLIDES = 8;
/** The fleet the per-part timings are projected to. */
const WIDE_FLEET = 16;

interface SplitRun {
  wallSeconds: number;
  videoSeconds: number;
  cpuSeconds: number;
  segments: {
    index: number;
    draw_seconds: number;
    encode_seconds: number;
    store_seconds: number;
    frames: number;
  }[];
  assembleSeconds: number | null;
  planSeconds: number | null;
}

async function renderWith(setup: Setup, markdown: string, log: (message: string) => void): Promise<SplitRun> {
  const database = scratchDatabase('pg', 'split_render');
  const env = {
    ...database.env,
    LOG_LEVEL: 'warn',
    POLL_INTERVAL_MS: '500',
    SPLIT_RENDER_MIN_SLIDES: setup.split ? '7' : '0',
  };
  const app = await createReelqueue(loadConfig({}, env));
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < setup.workers; i++) {
      const dataDir = path.join(database.env.DATA_DIR as string, `worker-${i}`);
      mkdirSync(dataDir, { recursive: true });
      workers.push(
        new WorkerProcess({
          command: process.execPath,
          args: [REELQUEUE_CLI, 'worker', '-c', '1', '--json'],
          env: { ...env, DATA_DIR: dataDir },
          channel: 'stdout-json',
        }),
      );
    }
    await Promise.all(workers.map((worker) => worker.next('worker_started', 60_000)));
    const cpuBefore = workers.reduce((sum, worker) => sum + processTreeCpuSeconds(worker.pid as number), 0);
    const started = performance.now();
    const { job } = await app.enqueue({
      kind: 'presentation',
      payload: { markdown, resolution: '1280x720' },
      timeoutSeconds: 3600,
    });
    let done = await app.jobs.get(job.id, ALL_JOBS);
    while (done && !['completed', 'failed', 'cancelled', 'timeout'].includes(done.status)) {
      await sleep(250);
      done = await app.jobs.get(job.id, ALL_JOBS);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    if (done?.status !== 'completed')
      throw new Error(`the render ended ${done?.status}: ${done?.errorMessage}`);
    const cpuSeconds =
      workers.reduce((sum, worker) => sum + processTreeCpuSeconds(worker.pid as number), 0) - cpuBefore;
    const result = done.result ?? {};
    const split = result.split_render as
      { segments: SplitRun['segments']; assemble_seconds: number; plan_seconds: number | null } | undefined;
    log(
      `${setup.system.label}: ${Number(result.duration_sec).toFixed(1)} s of video in ${wallSeconds.toFixed(1)} s, ` +
        `${cpuSeconds.toFixed(1)} CPU s (load ${loadavg()[0]?.toFixed(2)})`,
    );
    return {
      wallSeconds,
      videoSeconds: Number(result.duration_sec),
      cpuSeconds,
      segments: split?.segments ?? [],
      assembleSeconds: split?.assemble_seconds ?? null,
      planSeconds: split?.plan_seconds ?? null,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await app.close();
    await database.remove();
  }
}

export const splitRenderScenario: Scenario = {
  id: 'split-render',
  title: 'Split render (one long lesson, one job vs segments across worker processes)',
  optIn: true,
  async run(context) {
    const recorder = new Recorder();
    const slides = process.env.SPLIT_BENCH_SLIDES
      ? Number(process.env.SPLIT_BENCH_SLIDES)
      : context.options.mode === 'quick'
        ? QUICK_SLIDES
        : undefined;
    const markdown = lessonMarkdown(slides);
    const loads: string[] = [];
    const segmentNotes: string[] = [];
    for (const setup of SETUPS) {
      loads.push(`${setup.system.id} ${loadavg()[0]?.toFixed(2)}`);
      const run = await renderWith(setup, markdown, context.log);
      recorder.record(setup.system, 'wall time', 's', 'lower', run.wallSeconds);
      recorder.record(
        setup.system,
        'video s per wall s',
        '× real time',
        'higher',
        run.videoSeconds / run.wallSeconds,
      );
      recorder.record(
        setup.system,
        'CPU s per video minute',
        's',
        'lower',
        run.cpuSeconds / (run.videoSeconds / 60),
      );
      if (run.segments.length > 0) {
        const ordered = [...run.segments].sort((a, b) => a.index - b.index);
        const encode = ordered.map((s) => s.draw_seconds + s.encode_seconds + s.store_seconds);
        const slowest = Math.max(...encode);
        const plan = run.planSeconds ?? Number.NaN;
        const join = run.assembleSeconds ?? Number.NaN;
        recorder.record(setup.system, 'plan s', 's', 'lower', plan);
        recorder.record(setup.system, 'slowest segment s', 's', 'lower', slowest);
        recorder.record(setup.system, 'join s', 's', 'lower', join);
        // W workers on W free cores: plan, then ⌈segments ÷ W⌉ waves of (at most) the slowest, then the join.
        const waves = Math.ceil(ordered.length / WIDE_FLEET);
        segmentNotes.push(
          `${setup.system.id}: plan ${plan.toFixed(1)} s; ${ordered.length} segments, draw+encode+store ` +
            `${encode.map((seconds) => seconds.toFixed(1)).join(', ')} s (sum ${encode
              .reduce((a, b) => a + b, 0)
              .toFixed(1)} s, slowest ${slowest.toFixed(1)} s); join ${join.toFixed(1)} s. ` +
            `${WIDE_FLEET} workers on free cores: plan + ${waves} × slowest + join ≈ ${(
              plan +
              waves * slowest +
              join
            ).toFixed(1)} s.`,
        );
      }
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `${EXAMPLE}${slides === undefined ? '' : ` (first ${slides} slides)`} at 1280x720, PostgreSQL; ${availableParallelism()} CPUs; load average at each start: ${loads.join(', ')}.`,
        'Worker processes: `reelqueue worker -c 1`, each with its own data folder (speech cache empty), sharing only the database. CPU: the workers and their waited-for children (ffmpeg), from /proc.',
        ...segmentNotes,
      ],
      measurements: recorder.summarize(),
    };
  },
};
