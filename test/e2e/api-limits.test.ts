/**
 * Limits over real HTTP, each with a clear error and nothing created: body size (413), page size
 * (≤ 100), queued and running jobs per user (429), requests per key per minute (429), script length
 * (LESSON_MAX_SCRIPT_CHARS, default and lowered) and slide count (400).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LESSON_LIMITS } from '../../src/render/lesson/model.js';
import { createJob, errorOf, json, rowCounts } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness } from '../support/api-server.js';

const BODY_LIMIT = 64 * 1024;
const MAX_ACTIVE = 2;
const PER_MINUTE = 30;

const slides = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ title: `Slide ${i + 1}`, narration: `Point number ${i + 1}.` }));

describe('HTTP API: limits', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi(
      {
        BODY_LIMIT_BYTES: BODY_LIMIT,
        MAX_ACTIVE_JOBS_PER_USER: MAX_ACTIVE,
        RATE_LIMIT_PER_MINUTE: PER_MINUTE,
      },
      { workers: 0 },
    );
  });
  afterAll(() => api.close());

  /** Sends a request that must be refused with `status` and `code`, creating nothing. */
  async function expectRefused(response: Promise<Response>, status: number, code: string) {
    const before = await rowCounts(api);
    const answer = await response;
    expect(answer.status).toBe(status);
    const error = await errorOf(answer);
    expect(error.code).toBe(code);
    expect(await rowCounts(api)).toEqual(before);
    return error;
  }

  it('answers 413 PAYLOAD_TOO_LARGE to a body over BODY_LIMIT_BYTES', async () => {
    const user = await api.createUser();
    await expectRefused(
      api.call(user, 'POST', '/api/presentations/generate', { script: 'x'.repeat(BODY_LIMIT + 1) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    await expectRefused(
      api.call(user, 'POST', '/api/generate', { script: 'Rain.', title: 'y'.repeat(BODY_LIMIT) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('pages at most 100 jobs: limit=101 is a 400, limit=100 is fine', async () => {
    const user = await api.createUser();
    await expectRefused(api.call(user, 'GET', '/api/presentations/jobs?limit=101'), 400, 'VALIDATION_FAILED');
    await expectRefused(api.call(user, 'GET', '/api/presentations/jobs?limit=0'), 400, 'VALIDATION_FAILED');
    expect((await api.call(user, 'GET', '/api/presentations/jobs?limit=100')).status).toBe(200);
  });

  it('answers 429 TOO_MANY_JOBS at MAX_ACTIVE_JOBS_PER_USER queued jobs, and accepts again once one ends', async () => {
    const user = await api.createUser();
    const neighbour = await api.createUser();
    const jobs = [];
    for (let i = 0; i < MAX_ACTIVE; i++) jobs.push(await createJob(api, user, TINY_LESSON));
    const error = await expectRefused(
      api.call(user, 'POST', '/api/presentations/generate', TINY_LESSON),
      429,
      'TOO_MANY_JOBS',
    );
    expect(error.details).toMatchObject({ limit: MAX_ACTIVE });
    await expectRefused(api.call(user, 'POST', '/api/generate', { script: 'Rain.' }), 429, 'TOO_MANY_JOBS');
    // The limit is per user.
    await createJob(api, neighbour, TINY_LESSON);

    expect((await api.call(user, 'POST', `/api/presentations/jobs/${jobs[0]!.id}/cancel`, {})).status).toBe(
      200,
    );
    await createJob(api, user, TINY_LESSON);
  });

  it('holds the per-user limit when many jobs are submitted at once', async () => {
    const user = await api.createUser();
    const before = await rowCounts(api);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => api.call(user, 'POST', '/api/presentations/generate', TINY_LESSON)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429, 429]);
    expect((await rowCounts(api)).jobs).toBe(before.jobs + MAX_ACTIVE);
  });

  it('answers 429 RATE_LIMITED past RATE_LIMIT_PER_MINUTE requests of one key, and not to other keys', async () => {
    const user = await api.createUser();
    const other = await api.createUser();
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE; i++) statuses.push((await api.call(user, 'GET', '/api/users/me')).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    // Tokens refill at PER_MINUTE/60 a second: a request or two more may still squeeze through.
    let refused: Response | null = null;
    for (let i = 0; i < 3 && !refused; i++) {
      const response = await api.call(user, 'GET', '/api/users/me');
      if (response.status !== 200) refused = response;
    }
    expect(refused?.status).toBe(429);
    const error = await errorOf(refused!);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toMatchObject({ retryAfterSeconds: expect.any(Number) });
    await expectRefused(api.call(user, 'POST', '/api/generate', { script: 'Rain.' }), 429, 'RATE_LIMITED');
    expect((await api.call(other, 'GET', '/api/users/me')).status).toBe(200);
  });

  it('answers 400 with a code to a script that is too long or a lesson with too many slides', async () => {
    const user = await api.createUser();
    // Over LESSON_MAX_SCRIPT_CHARS (default 60,000): the lesson check refuses it.
    const long = await expectRefused(
      api.call(user, 'POST', '/api/generate', {
        script: 'Word. '.repeat(Math.floor(LESSON_LIMITS.maxScriptChars / 6) + 1),
      }),
      400,
      'INVALID_PAYLOAD',
    );
    expect(long.details).toMatchObject({ reason: 'SCRIPT_TOO_LONG', limit: LESSON_LIMITS.maxScriptChars });
    const many = await expectRefused(
      api.call(user, 'POST', '/api/presentations/generate', {
        lesson: { title: 'Many', slides: slides(51) },
      }),
      400,
      'INVALID_PAYLOAD',
    );
    expect(many.details).toMatchObject({ reason: 'TOO_MANY_SLIDES' });
    await expectRefused(
      api.call(user, 'POST', '/api/presentations/generate', {
        lesson: { title: 'Many', slides: slides(101) },
      }),
      400,
      'VALIDATION_FAILED',
    );
    // The largest allowed lesson is accepted.
    const fifty = await api.call(user, 'POST', '/api/presentations/generate', {
      lesson: { title: 'Fifty', slides: slides(50) },
    });
    expect(fifty.status).toBe(202);
    expect(await json(fifty)).toMatchObject({ status: 'pending' });
  });

  it('takes a 20-minute lesson (the example, about 28,000 characters) under the default limit', async () => {
    const user = await api.createUser();
    const markdown = readFileSync(
      new URL('../../examples/electricity-long-lesson.md', import.meta.url),
      'utf8',
    );
    expect(markdown.length).toBeGreaterThan(25_000);
    const stored = await api.call(user, 'POST', '/api/lessons', { markdown });
    expect(stored.status).toBe(201);
    expect(await json(stored)).toMatchObject({ slide_count: 42 });
  });
});

describe('HTTP API: a lowered LESSON_MAX_SCRIPT_CHARS', () => {
  const LIMIT = 1000;
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ LESSON_MAX_SCRIPT_CHARS: LIMIT }, { workers: 0 });
  });
  afterAll(() => api.close());

  const script = (length: number) => 'Rain falls. '.repeat(Math.ceil(length / 12)).slice(0, length);
  /** A JSON lesson of exactly `length` characters of text (its title, the slide's title, narration). */
  const lesson = (length: number) => ({
    title: 'Rain',
    slides: [{ title: 'Rain', narration: 'a'.repeat(length - 8) }],
  });

  it('refuses a script, Markdown or lesson over it with INVALID_PAYLOAD, reason SCRIPT_TOO_LONG', async () => {
    const user = await api.createUser();
    const bodies: [string, unknown][] = [
      ['/api/presentations/generate', { script: script(LIMIT + 1) }],
      ['/api/presentations/generate', { markdown: `# Rain\n\n${script(LIMIT)}` }],
      ['/api/presentations/generate', { lesson: lesson(LIMIT + 1) }],
      ['/api/lessons', { script: script(LIMIT + 1) }],
      ['/api/lessons', lesson(LIMIT + 1)],
    ];
    for (const [path, body] of bodies) {
      const before = await rowCounts(api);
      const answer = await api.call(user, 'POST', path, body);
      expect(answer.status, path).toBe(400);
      const error = await errorOf(answer);
      expect(error.code).toBe('INVALID_PAYLOAD');
      expect(error.details).toMatchObject({ reason: 'SCRIPT_TOO_LONG', limit: LIMIT });
      expect(error.message).toContain('LESSON_MAX_SCRIPT_CHARS');
      expect(await rowCounts(api)).toEqual(before);
    }
  });

  it('takes a lesson of exactly that many characters, and a script below it', async () => {
    const user = await api.createUser();
    const queued = await api.call(user, 'POST', '/api/presentations/generate', { lesson: lesson(LIMIT) });
    expect(queued.status).toBe(202);
    const stored = await api.call(user, 'POST', '/api/lessons', { script: script(LIMIT - 100) });
    expect(stored.status).toBe(201);
  });
});
