import { describe, expect, it } from 'vitest';
import { ReelqueueError } from '../../src/errors.js';
import { JobAbort } from '../../src/jobs/job-abort.js';

describe('JobAbort', () => {
  it('fires a signal taken before the abort, with the reason', () => {
    const abort = new JobAbort();
    const { signal } = abort;
    expect(signal.aborted).toBe(false);
    const reason = new ReelqueueError('JOB_CANCELLED', 'Cancelled on request');
    abort.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(abort.reason).toBe(reason);
  });

  it('hands out an already fired signal when it is first asked for after the abort', () => {
    const abort = new JobAbort();
    const reason = new ReelqueueError('JOB_TIMEOUT', 'The job ran past its timeout of 1 s');
    abort.abort(reason);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(reason);
  });

  it('keeps the first reason and calls its abort listener once, when aborted', () => {
    const abort = new JobAbort();
    let calls = 0;
    abort.onAbort(() => (calls += 1));
    expect(calls).toBe(0);
    expect(abort.reason).toBeNull();
    const first = new ReelqueueError('LEASE_LOST', 'Another worker took over this job');
    abort.abort(first);
    abort.abort(new ReelqueueError('WORKER_SHUTDOWN', 'The worker is stopping'));
    expect(calls).toBe(1);
    expect(abort.reason).toBe(first);
    expect(abort.signal.reason).toBe(first);
  });

  it('calls a listener set after the abort at once', () => {
    const abort = new JobAbort();
    abort.abort(new ReelqueueError('JOB_TIMEOUT', 'The job ran past its timeout of 1 s'));
    let calls = 0;
    abort.onAbort(() => (calls += 1));
    expect(calls).toBe(1);
  });
});
