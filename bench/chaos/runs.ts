/**
 * A job's runs, rebuilt from its event log: a run starts with `started` (attempt n) and ends with the
 * attempt's outcome event, or when its worker was killed. Two runs of one job overlap when the next
 * starts before the previous one ended: what fencing and leases must never allow.
 */
import type { JobEvent } from '../../src/jobs/model.js';

const ENDINGS = new Set([
  'completed',
  'failed',
  'retry_scheduled',
  'timeout',
  'cancelled',
  'released',
  'recovered',
]);

export interface Run {
  attempt: number;
  worker: string;
  start: number;
  /** When it ended: its outcome event, or its worker's death (whichever came first). */
  end: number | null;
  completed: boolean;
  /** Ended by a kill: its worker died while it ran. */
  killed: boolean;
}

export function runsOf(events: readonly JobEvent[], killedAt: ReadonlyMap<string, number>): Run[] {
  const runs: Run[] = [];
  for (const event of events) {
    if (event.type === 'started') {
      runs.push({
        attempt: event.attempt,
        worker: event.workerId ?? '',
        start: event.at.getTime(),
        end: null,
        completed: false,
        killed: false,
      });
      continue;
    }
    if (!ENDINGS.has(event.type)) continue;
    const run = runs.find((r) => r.attempt === event.attempt && r.end === null);
    if (!run) continue;
    run.end = event.at.getTime();
    run.completed = event.type === 'completed';
  }
  for (const run of runs) {
    const death = killedAt.get(run.worker);
    if (death === undefined || run.completed) continue;
    if (run.end === null || death < run.end) {
      run.end = death;
      run.killed = true;
    }
  }
  return runs.sort((a, b) => a.attempt - b.attempt || a.start - b.start);
}

export interface RunAnalysis {
  /** Pairs of runs of one job that were alive at the same time, plus second completions. */
  overlaps: number;
  /** Runs ended by a kill whose job ran again: kill → next start, in ms. */
  rerunDelaysMs: number[];
  /** Runs with neither an outcome nor a killed worker (a lease that lapsed on a live worker). */
  openRuns: number;
}

export function analyseRuns(jobs: readonly (readonly Run[])[]): RunAnalysis {
  let overlaps = 0;
  let openRuns = 0;
  const rerunDelaysMs: number[] = [];
  for (const runs of jobs) {
    if (runs.filter((run) => run.completed).length > 1) overlaps += 1;
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i] as Run;
      if (run.end === null) {
        if (i < runs.length - 1) openRuns += 1;
        continue;
      }
      for (const later of runs.slice(i + 1)) if (later.start < run.end) overlaps += 1;
      const next = runs[i + 1];
      if (run.killed && next) rerunDelaysMs.push(next.start - run.end);
    }
  }
  return { overlaps, rerunDelaysMs, openRuns };
}
