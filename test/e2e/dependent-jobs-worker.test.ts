/**
 * Jobs that wait for others, run by a real worker: two producers, then a job that waits for both
 * and sums what they returned (`context.parentResults()`), through the package's public exports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_JOBS,
  createReelqueue,
  loadConfig,
  type JobKind,
  type JsonObject,
  type Reelqueue,
} from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const producer: JobKind = {
  name: 'produce',
  parsePayload: (input) => input as JsonObject,
  run: async ({ payload }) => ({ n: Number(payload.n) }),
};

const summer: JobKind = {
  name: 'sum',
  parsePayload: (input) => input as JsonObject,
  run: async (context) => {
    const parents = await context.parentResults();
    return {
      sum: parents.reduce((total, parent) => total + Number(parent.result?.n ?? 0), 0),
      statuses: parents.map((parent) => parent.status),
    };
  },
};

describe('a worker runs a job once the jobs it depends on completed', () => {
  let t: TestDatabase;
  let app: Reelqueue;

  beforeAll(async () => {
    t = await createTestDatabase();
    app = await createReelqueue(loadConfig({}, { ...t.env, LOG_LEVEL: 'silent', POLL_INTERVAL_MS: 100 }), {
      kinds: [producer, summer],
      defaultKinds: false,
    });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('hands the child its parents’ results', async () => {
    const a = (await app.enqueue({ kind: 'produce', payload: { n: 2 } })).job;
    const b = (await app.enqueue({ kind: 'produce', payload: { n: 40 } })).job;
    const { job } = await app.enqueue({ kind: 'sum', dependsOn: [a.id, b.id] });
    expect(job.status).toBe('waiting');
    const worker = app.createWorker({ concurrency: 2 });
    worker.start();
    try {
      const done = await waitFor(
        async () => {
          const now = await app.jobs.get(job.id, ALL_JOBS);
          return now?.status === 'completed' || now?.status === 'failed' ? now : null;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: 'the child to end' },
      );
      expect(done.status).toBe('completed');
      expect(done.result).toEqual({ sum: 42, statuses: ['completed', 'completed'] });
    } finally {
      await worker.stop();
    }
  });
});
