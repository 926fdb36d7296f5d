import { describe, expect, it } from 'vitest';
import { analyseRuns, runsOf } from '../../bench/chaos/runs.js';
import type { JobEvent, JobEventType } from '../../src/jobs/model.js';

let nextId = 1;
function event(type: JobEventType, attempt: number, at: number, workerId: string | null = null): JobEvent {
  return {
    id: nextId++,
    jobId: 'job',
    at: new Date(at),
    type,
    status: 'running',
    progress: 0,
    stage: null,
    message: null,
    attempt,
    workerId,
    data: null,
  };
}

describe("the fault battery's reading of a job's runs", () => {
  it('a run cut by a kill ends at the kill, and its re-run delay is measured from there', () => {
    const runs = runsOf(
      [
        event('started', 1, 1000, 'w1'),
        event('recovered', 1, 4000),
        event('started', 2, 4200, 'w2'),
        event('completed', 2, 4500, 'w2'),
      ],
      new Map([['w1', 1500]]),
    );
    expect(runs.map((r) => [r.attempt, r.end, r.killed, r.completed])).toEqual([
      [1, 1500, true, false],
      [2, 4500, false, true],
    ]);
    expect(analyseRuns([runs])).toEqual({ overlaps: 0, rerunDelaysMs: [2700], openRuns: 0 });
  });

  it('counts a run that starts before the previous one ended as an overlap', () => {
    const runs = runsOf(
      [
        event('started', 1, 1000, 'w1'),
        event('started', 2, 2000, 'w2'),
        event('completed', 1, 3000, 'w1'),
        event('completed', 2, 3500, 'w2'),
      ],
      new Map(),
    );
    // Attempt 2 started inside attempt 1, and the job completed twice.
    expect(analyseRuns([runs]).overlaps).toBe(2);
  });

  it('a worker killed after its run completed did not cut that run', () => {
    const runs = runsOf(
      [event('started', 1, 1000, 'w1'), event('completed', 1, 1200, 'w1')],
      new Map([['w1', 5000]]),
    );
    expect(runs[0]).toMatchObject({ end: 1200, killed: false, completed: true });
    expect(analyseRuns([runs])).toEqual({ overlaps: 0, rerunDelaysMs: [], openRuns: 0 });
  });
});
