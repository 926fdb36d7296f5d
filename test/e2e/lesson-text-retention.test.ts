/**
 * Seed 004 clears a job's script once its video is made: CLEAR_LESSON_TEXT_AFTER_SUCCESS=true does
 * that (the lesson text leaves the payload in the write that completes the job); by default the
 * text is kept. Real renders, on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, untilStatus } from '../support/api-helpers.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';

const SCRIPT = 'A short script for retention. It scrolls by.';

async function renderScript(api: ApiHarness, user: TestUser) {
  const answer = await api.call(user, 'POST', '/api/generate', { script: SCRIPT, title: 'Retention' });
  expect(answer.status).toBe(202);
  const { jobId } = await json<{ jobId: string }>(answer);
  const done = await untilStatus(api, user, jobId);
  expect(done.status).toBe('completed');
  const video = await api.call(user, 'GET', `/api/videos/${jobId}`);
  expect(video.status).toBe(200);
  await video.arrayBuffer();
  return api.app.jobs.get(jobId, { all: true });
}

describe('CLEAR_LESSON_TEXT_AFTER_SUCCESS=true', { timeout: 120_000 }, () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({ CLEAR_LESSON_TEXT_AFTER_SUCCESS: 'true' });
  });
  afterAll(() => api.close());

  it('removes the script from a completed job once its video is stored, keeping the rest', async () => {
    const job = await renderScript(api, api.admin);
    // A script is queued as a lesson (slides): whichever form it took, the text is gone.
    for (const field of ['lesson', 'markdown', 'script']) expect(job?.payload).not.toHaveProperty(field);
    expect(job?.payload).toMatchObject({ style: 'scrolling', voice: 'en-us' });
    expect(JSON.stringify(job?.payload)).not.toContain('retention');
  });
});

describe('lesson text retention by default', { timeout: 120_000 }, () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('keeps the script of a completed job', async () => {
    const job = await renderScript(api, api.admin);
    expect(JSON.stringify(job?.payload)).toContain(SCRIPT);
  });
});
