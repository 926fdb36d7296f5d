/** Every failed attempt of a job is in the server log at warn: job id, kind, attempt and error code. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { ReelqueueError } from '../../src/errors.js';
import { isJsonObject, type JobKind } from '../../src/jobs/kinds.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import type { Worker } from '../../src/jobs/worker.js';
import { RecordingLogger, WARN } from '../support/recording-logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const alwaysFails: JobKind = {
  name: 'always-fails',
  parsePayload: (input) => (isJsonObject(input) ? input : {}),
  run: () => Promise.reject(new ReelqueueError('RENDER_FILE_MISSING', 'the video went missing')),
};

const neverEnds: JobKind = {
  name: 'never-ends',
  parsePayload: (input) => (isJsonObject(input) ? input : {}),
  run: ({ signal }) =>
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
};

describe('failed attempts in the server log', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  let worker: Worker;
  let log: RecordingLogger;

  beforeEach(async () => {
    t = await createTestDatabase({ POLL_INTERVAL_MS: 50, RETRY_DELAYS: '0' });
    log = new RecordingLogger('info');
    app = await createReelqueue(t.config, { logger: log.logger, kinds: [alwaysFails, neverEnds] });
    worker = app.createWorker({ concurrency: 2 });
    worker.start();
  });
  afterEach(async () => {
    await worker.stop(0);
    await app.close();
    await t.cleanup();
  });

  it('logs each failed attempt, retried or final, at warn with job id, kind, attempt and code', async () => {
    const { job } = await app.enqueue({ kind: 'always-fails', payload: {}, maxRetries: 1 });
    await waitFor(async () => (await app.jobs.get(job.id, ALL_JOBS))?.status === 'failed', {
      what: 'the job to fail',
    });
    const attempts = log.matching({ jobId: job.id, kind: 'always-fails' }, WARN);
    expect(attempts.map((record) => [record.attempt, record.code])).toEqual([
      [1, 'RENDER_FILE_MISSING'],
      [2, 'RENDER_FILE_MISSING'],
    ]);
    expect(attempts[0]).toMatchObject({
      error: 'the video went missing',
      msg: expect.stringMatching(/retry/),
    });
    expect(attempts[1]).toMatchObject({ msg: expect.stringMatching(/no retry left/) });
  });

  it('logs an attempt that ran past its timeout with JOB_TIMEOUT', async () => {
    const { job } = await app.enqueue({ kind: 'never-ends', payload: {}, maxRetries: 0, timeoutSeconds: 1 });
    await waitFor(async () => (await app.jobs.get(job.id, ALL_JOBS))?.status === 'timeout', {
      what: 'the job to time out',
    });
    expect(
      log.matching({ jobId: job.id, kind: 'never-ends', attempt: 1, code: 'JOB_TIMEOUT' }, WARN),
    ).toHaveLength(1);
  });
});
