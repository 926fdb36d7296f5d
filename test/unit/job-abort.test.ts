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

  it('keeps the first reason and resolves `aborted` once aborted', async () => {
    const abort = new JobAbort();
    let resolved = false;
    const waiting = abort.aborted.then(() => {
      resolved = true;
    });
    await Promise.resolve();
    expect(resolved).toBe(false);
    expect(abort.reason).toBeNull();
    const first = new ReelqueueError('LEASE_LOST', 'Another worker took over this job');
    abort.abort(first);
    abort.abort(new ReelqueueError('WORKER_SHUTDOWN', 'The worker is stopping'));
    await waiting;
    expect(resolved).toBe(true);
    expect(abort.reason).toBe(first);
    expect(abort.signal.reason).toBe(first);
  });
});
