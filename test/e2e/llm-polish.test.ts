/**
 * `use_llm_polish` end to end: a job queued over HTTP (seed 003's body) is rendered by the service's
 * worker with its narration polished by a real OpenAI-compatible endpoint (a node:http server on a
 * free port). The polished text is what is spoken (and cached); an endpoint that fails or is too
 * slow leaves the original text and an `LLM_POLISH_FAILED` event, never a failed render; a cancel
 * during polish stops the job at once; without LLM_BASE_URL no request is made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsInput } from '../../src/config.js';
import type { JobEvent } from '../../src/jobs/model.js';
import { FROM_THE_START } from '../../src/jobs/store.js';
import { createSpeechSynthesizer } from '../../src/render/tts/synthesize.js';
import { createJob, getJob, untilStatus, type WireJob } from '../support/api-helpers.js';
import { startApi, type ApiHarness } from '../support/api-server.js';
import {
  noAnswer,
  rewriteWith,
  startChatCompletionsServer,
  statusAnswer,
  type ChatCompletionsServer,
  type SeenRequest,
} from '../support/chat-completions-server.js';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { assertBuilt, WorkerProcess } from '../support/worker-process.js';

/** Seed 003's create body, with a small inline lesson; `topic` keeps each test's narration (and speech) its own. */
const lessonAbout = (topic: string) => ({
  lesson: {
    title: `About ${topic}`,
    slides: [
      {
        title: 'First',
        narration: `Well, so, the first thing to know about ${topic} is that it matters a lot.`,
      },
      {
        title: 'Second',
        narration: `And then, in the end, the second thing about ${topic} is how it works.`,
      },
    ],
  },
  resolution: '320x180',
  style: 'default',
  use_llm_polish: true,
  max_retries: 0,
});

const tighten = (narration: string) => `Briefly: ${narration.split(' ').slice(-4).join(' ')}`;

/** Whether speech for `text` is in the service's speech cache (a synthesis from the cache, or a new one). */
async function spokenBefore(dataDir: string, text: string): Promise<boolean> {
  const synthesizer = createSpeechSynthesizer({ cacheDir: path.join(dataDir, 'tts-cache') });
  try {
    return (await synthesizer.synthesize(text, 'en-us')).cached;
  } finally {
    await synthesizer.close();
  }
}

async function polishEvents(api: ApiHarness, jobId: string): Promise<JobEvent[]> {
  const events = await api.app.jobs.listEvents(jobId, FROM_THE_START, 500);
  return events.filter((event) => event.stage === 'polish');
}

/**
 * The job completed with both slides' original text kept for a timeout, after one request per slide,
 * each hung up by the worker.
 */
async function expectEverySlideTimedOut(job: WireJob, asked: readonly SeenRequest[]): Promise<void> {
  expect([job.status, job.error_code]).toEqual(['completed', null]);
  expect(job.result_data).toMatchObject({
    llm_polish: 'failed',
    llm_polish_details: { kept_original: [{ reason: 'TIMEOUT' }, { reason: 'TIMEOUT' }] },
  });
  expect(asked).toHaveLength(2);
  await waitFor(() => asked.every((request) => request.hungUp), { what: 'the worker to hang up' });
}

async function startWith(settings: SettingsInput): Promise<{ api: ApiHarness; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rq-llm-polish-'));
  return { api: await startApi({ DATA_DIR: dataDir, ...settings }), dataDir };
}

describe('use_llm_polish with an LLM endpoint configured', () => {
  let llm: ChatCompletionsServer;
  let api: ApiHarness;
  let dataDir: string;

  beforeAll(async () => {
    llm = await startChatCompletionsServer();
    ({ api, dataDir } = await startWith({
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'test-model',
      LLM_TIMEOUT_SECONDS: 1,
    }));
  });
  afterAll(async () => {
    await api.close();
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const render = async (topic: string): Promise<WireJob> => {
    const created = await createJob(api, api.admin, lessonAbout(topic));
    return untilStatus(api, api.admin, created.id);
  };

  it('speaks the polished narration and says in the result and events that polish was applied', async () => {
    llm.answerWith(rewriteWith(tighten));
    const body = lessonAbout('rivers');
    const job = await render('rivers');
    expect([job.status, job.error_code]).toEqual(['completed', null]);
    expect(job.result_data).toMatchObject({
      slide_count: 2,
      llm_polish: 'applied',
      llm_polish_details: { model: 'test-model', polished_slides: [1, 2], kept_original: [] },
    });
    expect(llm.requests.map((request) => request.narration).sort()).toEqual(
      body.lesson.slides.map((slide) => slide.narration).sort(),
    );
    const events = await polishEvents(api, job.id);
    expect(events.at(-1)?.data).toMatchObject({ llm_polish: 'applied', polished_slides: [1, 2] });
    expect(events.at(-1)?.message).toBe('LLM polish applied to all 2 slides (test-model)');
    // The stages in order, polish between planning and speaking.
    const stages = (await api.app.jobs.listEvents(job.id, FROM_THE_START, 500))
      .map((event) => event.stage)
      .filter((stage, index, all) => stage !== null && stage !== all[index - 1]);
    expect(stages.slice(0, 3)).toEqual(['plan', 'polish', 'speak']);
    // Speech was made (and cached) from the polished text, never from the original.
    for (const slide of body.lesson.slides) {
      expect(await spokenBefore(dataDir, tighten(slide.narration))).toBe(true);
      expect(await spokenBefore(dataDir, slide.narration)).toBe(false);
    }
  });

  it('renders the original narration when the endpoint answers 500, with an LLM_POLISH_FAILED event', async () => {
    llm.answerWith(statusAnswer(500));
    const body = lessonAbout('volcanoes');
    const job = await render('volcanoes');
    expect([job.status, job.error_code]).toEqual(['completed', null]);
    expect(job.result_data).toMatchObject({
      llm_polish: 'failed',
      llm_polish_details: { polished_slides: [] },
    });
    const [failure] = (await polishEvents(api, job.id)).filter(
      (event) => event.data?.code === 'LLM_POLISH_FAILED',
    );
    expect(failure?.data).toMatchObject({
      llm_polish: 'failed',
      kept_original: [
        { slide: 1, reason: 'HTTP_STATUS', message: 'the server answered 500' },
        { slide: 2, reason: 'HTTP_STATUS', message: 'the server answered 500' },
      ],
    });
    expect(failure?.message).toContain('slides 1, 2 of 2, which keep their original narration');
    for (const slide of body.lesson.slides) expect(await spokenBefore(dataDir, slide.narration)).toBe(true);
  });

  it('renders the original narration when the endpoint does not answer within LLM_TIMEOUT_SECONDS', async () => {
    llm.answerWith(noAnswer);
    const before = llm.requests.length;
    const job = await render('glaciers');
    await expectEverySlideTimedOut(job, llm.requests.slice(before));
  });
});

describe('use_llm_polish with an endpoint that never answers (LLM_TIMEOUT_SECONDS 120)', () => {
  let llm: ChatCompletionsServer;
  let api: ApiHarness;
  let dataDir: string;

  beforeAll(async () => {
    llm = await startChatCompletionsServer();
    ({ api, dataDir } = await startWith({
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'test-model',
      LLM_TIMEOUT_SECONDS: 120,
      HEARTBEAT_SECONDS: 0.2,
    }));
  });
  afterAll(async () => {
    await api.close();
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops the job at once, hanging up on the endpoint, with no video stored', async () => {
    llm.answerWith(noAnswer);
    const created = await createJob(api, api.admin, lessonAbout('deserts'));
    await waitFor(
      async () => llm.requests.length === 2 && (await getJob(api, api.admin, created.id)).stage === 'polish',
      {
        what: 'the worker to be waiting for the endpoint',
      },
    );
    const response = await api.call(api.admin, 'POST', `/api/presentations/jobs/${created.id}/cancel`);
    expect(response.status).toBe(202); // running: its worker is told to stop
    // Far below LLM_TIMEOUT_SECONDS (120 s): the cancel, not the timeout, ended the request.
    const job = await untilStatus(api, api.admin, created.id, undefined, 20_000);
    expect([job.status, job.error_code]).toEqual(['cancelled', 'JOB_CANCELLED']);
    await waitFor(() => llm.requests.every((request) => request.hungUp), { what: 'the worker to hang up' });
    expect(await api.app.database.artifacts.find(created.id, 'video')).toBeNull();
  });

  it('gives polish at most a quarter of the job’s timeout, so an endpoint slower than the job still lets it complete', async () => {
    llm.answerWith(noAnswer);
    const before = llm.requests.length;
    // LLM_TIMEOUT_SECONDS is 120 here: only polish's share of the job's 60 s (15 s) can end these
    // requests; the render has the other 45 s.
    const created = await createJob(api, api.admin, { ...lessonAbout('meadows'), timeout_seconds: 60 });
    const job = await untilStatus(api, api.admin, created.id);
    await expectEverySlideTimedOut(job, llm.requests.slice(before));
  });
});

describe('use_llm_polish without LLM_BASE_URL', () => {
  let llm: ChatCompletionsServer;
  let api: ApiHarness;
  let dataDir: string;

  beforeAll(async () => {
    llm = await startChatCompletionsServer();
    ({ api, dataDir } = await startWith({}));
  });
  afterAll(async () => {
    await api.close();
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('renders the narration as written, asks nothing, and says polish is not configured', async () => {
    llm.answerWith(rewriteWith(tighten));
    const created = await createJob(api, api.admin, lessonAbout('forests'));
    const job = await untilStatus(api, api.admin, created.id);
    expect([job.status, job.error_code]).toEqual(['completed', null]);
    expect(job.result_data).toMatchObject({ llm_polish: 'not configured' });
    expect(job.result_data).not.toHaveProperty('llm_polish_details');
    expect(llm.requests).toHaveLength(0);
    expect(await polishEvents(api, job.id)).toEqual([]);
    const messages = (await api.app.jobs.listEvents(job.id, FROM_THE_START, 500)).map(
      (event) => event.message,
    );
    expect(messages).toContain(
      'LLM polish was asked for, but no LLM endpoint is configured (LLM_BASE_URL): using the script as written',
    );
  });
});

describe('use_llm_polish in a `reelqueue worker` process', () => {
  let llm: ChatCompletionsServer;
  let t: TestDatabase;
  let app: Reelqueue;
  let worker: WorkerProcess | undefined;
  let dataDir: string;

  beforeAll(async () => {
    assertBuilt();
    llm = await startChatCompletionsServer();
    dataDir = mkdtempSync(path.join(tmpdir(), 'rq-llm-polish-'));
    t = await createTestDatabase({ POLL_INTERVAL_MS: 100 });
    app = await createReelqueue(t.config, { logger: silentLogger() });
  });
  afterAll(async () => {
    await worker?.stop();
    await app.close();
    await t.cleanup();
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads LLM_BASE_URL and LLM_MODEL from its environment and renders the polished narration', async () => {
    llm.answerWith(rewriteWith(tighten));
    const body = lessonAbout('comets');
    const { job } = await app.enqueue({ kind: 'presentation', payload: body, maxRetries: 0 });
    worker = new WorkerProcess({
      ...t.env,
      DATA_DIR: dataDir,
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'from-the-environment',
    });
    await worker.started();
    const done = await waitFor(
      async () => {
        const now = await app.jobs.get(job.id, ALL_JOBS);
        return now && now.status !== 'pending' && now.status !== 'running' ? now : null;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: 'the render to end' },
    );
    expect([done.status, done.errorCode]).toEqual(['completed', null]);
    expect(done.result).toMatchObject({
      llm_polish: 'applied',
      llm_polish_details: { model: 'from-the-environment', polished_slides: [1, 2] },
    });
    expect(llm.requests.map((request) => request.body.model)).toEqual([
      'from-the-environment',
      'from-the-environment',
    ]);
    for (const slide of body.lesson.slides) {
      expect(await spokenBefore(dataDir, tighten(slide.narration))).toBe(true);
    }
  });
});
