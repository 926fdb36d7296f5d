/**
 * reelqueue as a library (seed 003's in-process `create_presentation_job` / `get_presentation_job_status`):
 * a program that imports only the package's public exports queues a `presentation` job from a
 * script, runs a worker in its own process, follows the job and reads the finished video's bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS, createReelqueue, loadConfig, type Reelqueue } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const SCRIPT = 'This lesson was queued by a program, without any HTTP server. It is short.';

describe('reelqueue used as a library', () => {
  let t: TestDatabase;
  let app: Reelqueue;

  beforeAll(async () => {
    t = await createTestDatabase();
    // Only the package's exports from here on: settings as a program would pass them.
    app = await createReelqueue(loadConfig({}, { ...t.env, LOG_LEVEL: 'silent', POLL_INTERVAL_MS: 100 }));
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('registers the presentation kind by default', () => {
    expect(app.kinds.names()).toEqual(expect.arrayContaining(['noop', 'presentation', 'sleep', 'webhook']));
  });

  it('enqueues a presentation from a script, renders it in-process and reads the video bytes', async () => {
    const { job } = await app.enqueue({ kind: 'presentation', payload: { script: SCRIPT }, maxRetries: 0 });
    expect(job.status).toBe('pending');
    const worker = app.createWorker({ concurrency: 1 });
    worker.start();
    try {
      const done = await waitFor(
        async () => {
          const now = await app.jobs.get(job.id, ALL_JOBS);
          return now && now.status !== 'pending' && now.status !== 'running' ? now : null;
        },
        { timeoutMs: 120_000, intervalMs: 100, what: 'the render to end' },
      );
      expect([done.status, done.errorCode]).toEqual(['completed', null]);
      expect(done.result).toMatchObject({ presentation_id: job.id });
      expect(done.result?.slide_count).toBeGreaterThan(0);
      const video = await app.database.artifacts.find(job.id, 'video');
      expect(video?.contentType).toBe('video/mp4');
      const chunks: Buffer[] = [];
      for await (const chunk of app.database.artifacts.read(video!.id)) chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      expect(bytes.length).toBe(video!.size);
      expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    } finally {
      await worker.stop();
    }
  });
});
