/**
 * The speech provider end to end: presentation jobs rendered by a worker whose TTS_BASE_URL points at
 * a real local speech server (test/support/speech-server.ts). A failing provider shows in the job's
 * events and result, and by TTS_FALLBACK the job completes with eSpeak NG or fails with
 * TTS_PROVIDER_FAILED; a cancel hangs up on the provider; the key is in no event, job field or log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import type { SettingsInput } from '../../src/config.js';
import { defaultKinds } from '../../src/default-kinds.js';
import type { Job } from '../../src/jobs/model.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import type { Worker } from '../../src/jobs/worker.js';
import { RecordingLogger } from '../support/recording-logger.js';
import {
  noAnswer,
  spokenAnswer,
  startSpeechServer,
  statusAnswer,
  type SpeechServer,
} from '../support/speech-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const API_KEY = 'sk-e2e-secret-do-not-show-9876543210';

const lessonAbout = (topic: string) => ({
  lesson: {
    title: `About ${topic}`,
    slides: [
      { title: 'First', narration: `The first fact about ${topic}. It is short.` },
      { title: 'Second', narration: `The second fact about ${topic}.` },
    ],
  },
  resolution: '320x180',
});

interface Running {
  t: TestDatabase;
  app: Reelqueue;
  worker: Worker;
  log: RecordingLogger;
  dataDir: string;
}

let server: SpeechServer;
let running: Running | undefined;

beforeAll(async () => {
  server = await startSpeechServer();
});

afterEach(async () => {
  server.answerWith(spokenAnswer);
  if (!running) return;
  await running.worker.stop(0);
  await running.app.close();
  await running.t.cleanup();
  rmSync(running.dataDir, { recursive: true, force: true });
  running = undefined;
});

afterAll(async () => {
  await server.close();
});

async function startWorker(settings: SettingsInput): Promise<Running> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rq-speech-provider-'));
  const t = await createTestDatabase({
    POLL_INTERVAL_MS: 100,
    DATA_DIR: dataDir,
    TTS_BASE_URL: server.baseUrl,
    TTS_MODEL: 'test-tts',
    TTS_API_KEY: API_KEY,
    ...settings,
  });
  // Everything the service logs, down to trace, is searched for the key.
  const log = new RecordingLogger('trace');
  const app = await createReelqueue(t.config, { logger: log.logger, kinds: defaultKinds });
  const worker = app.createWorker({ concurrency: 1 });
  worker.start();
  running = { t, app, worker, log, dataDir };
  return running;
}

async function finished(app: Reelqueue, id: string): Promise<Job> {
  return waitFor(
    async () => {
      const job = await app.jobs.get(id, ALL_JOBS);
      return job && job.status !== 'pending' && job.status !== 'running' ? job : null;
    },
    { timeoutMs: 120_000, intervalMs: 100, what: 'the render to end' },
  );
}

/** The job, its events and the whole log hold neither the key nor the provider's address. */
async function expectNoSecrets({ app, log }: Running, job: Job): Promise<void> {
  const events = await app.jobs.listEvents(job.id, FROM_THE_START, 500);
  expect(log.records.length).toBeGreaterThan(0);
  const everything = JSON.stringify([job, events, log.records]);
  expect(everything).not.toContain(API_KEY);
  expect(everything).not.toContain(server.baseUrl);
}

describe('presentation jobs with a speech provider', () => {
  it('completes with eSpeak NG when the provider answers 500 (TTS_FALLBACK=espeak), saying so in an event', async () => {
    const run = await startWorker({});
    server.answerWith(statusAnswer(500));
    const { job } = await run.app.enqueue({
      kind: 'presentation',
      payload: lessonAbout('storms'),
      maxRetries: 0,
    });
    const done = await finished(run.app, job.id);
    expect([done.status, done.errorCode]).toEqual(['completed', null]);
    expect(done.result).toMatchObject({
      voice: 'en-us',
      speech: {
        engine: 'espeak-ng',
        fallback_from: 'provider',
        code: 'TTS_PROVIDER_FAILED',
        reason: 'HTTP_STATUS',
      },
    });
    const events = await run.app.jobs.listEvents(job.id, FROM_THE_START, 500);
    const fallback = events.filter((event) => event.data?.code === 'TTS_PROVIDER_FAILED');
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toMatchObject({
      stage: 'speak',
      message:
        'The speech provider answered HTTP 500: speaking the narration with eSpeak NG instead (TTS_FALLBACK=espeak)',
      data: { code: 'TTS_PROVIDER_FAILED', reason: 'HTTP_STATUS', tts_fallback: 'espeak' },
    });
    await expectNoSecrets(run, done);
  });

  it('fails the job with TTS_PROVIDER_FAILED when the provider answers 500 and TTS_FALLBACK=fail', async () => {
    const run = await startWorker({ TTS_FALLBACK: 'fail' });
    server.answerWith(statusAnswer(500));
    const { job } = await run.app.enqueue({
      kind: 'presentation',
      payload: lessonAbout('dunes'),
      maxRetries: 0,
    });
    const done = await finished(run.app, job.id);
    expect([done.status, done.errorCode, done.errorMessage]).toEqual([
      'failed',
      'TTS_PROVIDER_FAILED',
      'The speech provider answered HTTP 500',
    ]);
    expect(await run.app.database.artifacts.find(job.id, 'video')).toBeNull();
    await expectNoSecrets(run, done);
  });

  it('speaks through the provider and keeps its voice and model in the result', async () => {
    const run = await startWorker({ TTS_VOICES: '*=en-gb' });
    const before = server.requests.length;
    const { job } = await run.app.enqueue({
      kind: 'presentation',
      payload: lessonAbout('comets'),
      maxRetries: 0,
    });
    const done = await finished(run.app, job.id);
    expect([done.status, done.errorCode]).toEqual(['completed', null]);
    expect(done.result).toMatchObject({ speech: { engine: 'provider', model: 'test-tts', voice: 'en-gb' } });
    const asked = server.requests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((request) => request.authorization === `Bearer ${API_KEY}`)).toBe(true);
    await expectNoSecrets(run, done);
  });

  it('hangs up on the provider when a job waiting for speech is cancelled', async () => {
    const run = await startWorker({ TTS_TIMEOUT_SECONDS: 600 });
    server.answerWith(noAnswer);
    const before = server.requests.length;
    const { job } = await run.app.enqueue({
      kind: 'presentation',
      payload: lessonAbout('canyons'),
      maxRetries: 0,
    });
    await waitFor(() => server.requests.length > before, { timeoutMs: 60_000, what: 'a speech request' });
    await run.app.jobs.cancel(job.id, 'not needed', ALL_JOBS);
    const done = await finished(run.app, job.id);
    expect([done.status, done.errorCode]).toEqual(['cancelled', 'JOB_CANCELLED']);
    const asked = server.requests.slice(before);
    await waitFor(() => asked.every((request) => request.hungUp), { what: 'the worker to hang up' });
    await expectNoSecrets(run, done);
  });
});
