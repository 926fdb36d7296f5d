/**
 * LLM polish against a real chat-completions endpoint (a node:http server on a free port speaking
 * the OpenAI protocol): polished narration replaces the original; every way the endpoint can fail
 * keeps the slide's original text with a stable reason; the job's abort stops the call at once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LlmConfig } from '../../src/config.js';
import type { Lesson } from '../../src/render/lesson/model.js';
import { lessonTextLength } from '../../src/render/lesson/validate.js';
import { POLISH_INSTRUCTIONS, polishNarration } from '../../src/render/polish/polish-narration.js';
import { polishEvent } from '../../src/render/polish/polish-report.js';
import {
  completion,
  noAnswer,
  oversizedAnswer,
  rawAnswer,
  rewriteWith,
  startChatCompletionsServer,
  statusAnswer,
  type ChatCompletionsServer,
} from '../support/chat-completions-server.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait.js';

const LESSON: Lesson = {
  title: 'Tides',
  slides: [
    {
      title: 'The Moon',
      bullets: [],
      narration: 'The Moon, as it happens, pulls on all of the oceans of the Earth.',
    },
    {
      title: 'Two a day',
      bullets: [],
      narration: 'So, in the end, most of the coasts will see two high tides a day.',
    },
  ],
};

const tighten = (narration: string) => `Tight: ${narration.split(' ').slice(0, 4).join(' ')}.`;

describe('LLM polish', () => {
  let server: ChatCompletionsServer;
  let endpoint: LlmConfig;

  const endpointAt = (baseUrl: string, more: Record<string, string | number> = {}): LlmConfig =>
    loadConfig({}, { LLM_BASE_URL: baseUrl, LLM_MODEL: 'test-model', LLM_API_KEY: 'sk-test', ...more }).llm!;

  beforeAll(async () => {
    server = await startChatCompletionsServer();
    endpoint = endpointAt(server.baseUrl, { LLM_TIMEOUT_SECONDS: 5, LLM_MAX_RESPONSE_BYTES: 4096 });
  });
  afterEach(() => {
    server.requests.length = 0;
  });
  afterAll(async () => {
    await server.close();
  });

  const polish = (options: { budgetMs?: number; signal?: AbortSignal } = {}, at = endpoint) =>
    polishNarration(LESSON, at, {
      signal: options.signal ?? new AbortController().signal,
      budgetMs: options.budgetMs,
    });

  it('replaces each slide’s narration with the answer, asking with the model, the key, the instructions and the narration', async () => {
    server.answerWith(rewriteWith(tighten));
    const outcome = await polish();
    expect(outcome.lesson.slides.map((slide) => slide.narration)).toEqual(
      LESSON.slides.map((slide) => tighten(slide.narration)),
    );
    expect(outcome.lesson.slides.map((slide) => slide.title)).toEqual(['The Moon', 'Two a day']);
    expect([outcome.polished, outcome.kept]).toEqual([[1, 2], []]);
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.path).toBe('/v1/chat/completions');
      expect(request.authorization).toBe('Bearer sk-test');
      expect(request.body.model).toBe('test-model');
      expect(request.body.messages?.[0]).toEqual({ role: 'system', content: POLISH_INSTRUCTIONS });
      expect(request.body.max_tokens).toBeGreaterThan(0);
    }
    expect(server.requests.map((request) => request.narration).sort()).toEqual(
      LESSON.slides.map((slide) => slide.narration).sort(),
    );
    expect(polishEvent(outcome, 'test-model').data).toMatchObject({
      llm_polish: 'applied',
      polished_slides: [1, 2],
    });
  });

  it('sends no Authorization header without LLM_API_KEY (a local server needs none)', async () => {
    server.answerWith(rewriteWith(tighten));
    const local = loadConfig({}, { LLM_BASE_URL: `${server.baseUrl}/`, LLM_MODEL: 'llama3.2' }).llm!;
    expect(local.baseUrl).toBe(server.baseUrl);
    await polish({}, local);
    expect(server.requests.map((request) => request.authorization)).toEqual([undefined, undefined]);
  });

  it.each([
    ['a 500', 'HTTP_STATUS', statusAnswer(500)],
    ['a 404', 'HTTP_STATUS', statusAnswer(404)],
    ['garbage instead of JSON', 'MALFORMED_RESPONSE', rawAnswer('<html>not json')],
    ['JSON without choices', 'MALFORMED_RESPONSE', rawAnswer('{"object":"chat.completion"}')],
    ['a body over the cap, chunked', 'RESPONSE_TOO_LARGE', oversizedAnswer(8192)],
    [
      'a body over the cap, with its Content-Length',
      'RESPONSE_TOO_LARGE',
      rawAnswer(completion('y'.repeat(8192))),
    ],
    [
      'an answer cut at the token limit',
      'ANSWER_TRUNCATED',
      rawAnswer(completion('The Moon pulls', 'length')),
    ],
    ['an empty answer', 'EMPTY_ANSWER', rawAnswer(completion('  \n '))],
    [
      'an answer far longer than the original',
      'ANSWER_TOO_LONG',
      rewriteWith((text) => `${text} ${text} ${text}`),
    ],
  ])('keeps every slide’s original narration on %s (reason %s)', async (_what, reason, answer) => {
    server.answerWith(answer);
    const outcome = await polish();
    expect(outcome.lesson).toEqual(LESSON);
    expect(outcome.polished).toEqual([]);
    expect(outcome.kept.map((kept) => [kept.slide, kept.reason])).toEqual([
      [1, reason],
      [2, reason],
    ]);
    const event = polishEvent(outcome, 'test-model');
    expect(event.data).toMatchObject({ code: 'LLM_POLISH_FAILED', llm_polish: 'failed' });
    expect(event.message).toContain(`slides 1, 2 of 2`);
    expect(event.message).toContain(reason);
  });

  it('keeps the original when nothing listens at LLM_BASE_URL (connection refused)', async () => {
    const nowhere = endpointAt(`http://127.0.0.1:${await freePort()}/v1`);
    const outcome = await polish({}, nowhere);
    expect(outcome.lesson).toEqual(LESSON);
    expect(outcome.kept.map((kept) => kept.reason)).toEqual(['UNREACHABLE', 'UNREACHABLE']);
    expect(outcome.kept[0]!.message).toContain('ECONNREFUSED');
    expect(outcome.kept[0]!.message).not.toContain('127.0.0.1'); // events reach users: no internal address
  });

  it('keeps the original of a slide whose answer does not come within LLM_TIMEOUT_SECONDS, and hangs up', async () => {
    server.answerWith(noAnswer);
    const outcome = await polish({}, endpointAt(server.baseUrl, { LLM_TIMEOUT_SECONDS: 0.3 }));
    expect(outcome.lesson).toEqual(LESSON);
    expect(outcome.kept.map((kept) => kept.reason)).toEqual(['TIMEOUT', 'TIMEOUT']);
    await waitFor(() => server.requests.length === 2 && server.requests.every((request) => request.hungUp), {
      what: 'the client to hang up',
    });
  });

  it('keeps the lesson within LESSON_MAX_SCRIPT_CHARS: the slide that grew most keeps its text', async () => {
    // Each answer is within its slide's own cap (1.5 × + 40); together 18 characters over the limit.
    server.answerWith(
      rewriteWith((text) => `${text} ${'Indeed.'.repeat(text.startsWith('The Moon') ? 5 : 3)}`),
    );
    const maxScriptChars = lessonTextLength(LESSON) + 40;
    const outcome = await polishNarration(LESSON, endpoint, {
      signal: new AbortController().signal,
      maxScriptChars,
    });
    expect(lessonTextLength(outcome.lesson)).toBeLessThanOrEqual(maxScriptChars);
    expect(outcome.lesson.slides[0]).toEqual(LESSON.slides[0]);
    expect(outcome.lesson.slides[1]?.narration).toBe(`${LESSON.slides[1]?.narration} ${'Indeed.'.repeat(3)}`);
    expect(outcome.polished).toEqual([2]);
    expect(outcome.kept).toEqual([
      { slide: 1, reason: 'ANSWER_TOO_LONG', message: expect.stringContaining('LESSON_MAX_SCRIPT_CHARS') },
    ]);
  });

  it('polishes the slides that answer and keeps the others', async () => {
    server.answerWith((request, response) =>
      request.narration.startsWith('So')
        ? statusAnswer(500)(request, response)
        : rewriteWith(tighten)(request, response),
    );
    const outcome = await polish();
    expect(outcome.lesson.slides.map((slide) => slide.narration)).toEqual([
      tighten(LESSON.slides[0]!.narration),
      LESSON.slides[1]!.narration,
    ]);
    expect([outcome.polished, outcome.kept.map((kept) => kept.slide)]).toEqual([[1], [2]]);
    const event = polishEvent(outcome, 'test-model');
    expect(event.data).toMatchObject({
      code: 'LLM_POLISH_FAILED',
      llm_polish: 'partial',
      polished_slides: [1],
      kept_original: [{ slide: 2, reason: 'HTTP_STATUS', message: 'the server answered 500' }],
    });
  });

  it('asks nothing once the step’s time budget is spent: the slides keep their text (TIMEOUT)', async () => {
    server.answerWith(rewriteWith(tighten));
    const outcome = await polish({ budgetMs: 0 });
    expect(outcome.kept.map((kept) => kept.reason)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(server.requests).toHaveLength(0);
  });

  it('stops at once with the job’s reason when the job is aborted mid-request, and hangs up', async () => {
    server.answerWith(noAnswer);
    const controller = new AbortController();
    const polishing = polish({ signal: controller.signal });
    await waitFor(() => server.requests.length === 2, { what: 'both requests to arrive' });
    const reason = new Error('cancelled by the test');
    controller.abort(reason);
    await expect(polishing).rejects.toBe(reason);
    await waitFor(() => server.requests.every((request) => request.hungUp), {
      what: 'the client to hang up',
    });
  });
});

describe('LLM settings', () => {
  it('are off without LLM_BASE_URL, with the documented defaults when it is set', () => {
    expect(loadConfig({}, {}).llm).toBeUndefined();
    expect(loadConfig({}, { LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'llama3.2' }).llm).toEqual({
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
      model: 'llama3.2',
      timeoutSeconds: 30,
      maxResponseBytes: 65536,
      concurrency: 2,
    });
  });

  it.each([
    [{ LLM_BASE_URL: 'http://127.0.0.1:8000/v1' }, 'LLM_MODEL'],
    [{ LLM_MODEL: 'llama3.2' }, 'LLM_MODEL'],
    [{ LLM_API_KEY: 'sk-secret-key' }, 'LLM_API_KEY'],
    [{ LLM_BASE_URL: 'localhost:8000', LLM_MODEL: 'm' }, 'LLM_BASE_URL'],
    [{ LLM_BASE_URL: 'ftp://host/v1', LLM_MODEL: 'm' }, 'LLM_BASE_URL'],
    [{ LLM_BASE_URL: 'https://user:sk-secret-key@host/v1', LLM_MODEL: 'm' }, 'LLM_BASE_URL'],
    [{ LLM_BASE_URL: 'http://h/v1', LLM_MODEL: 'm', LLM_TIMEOUT_SECONDS: '0' }, 'LLM_TIMEOUT_SECONDS'],
  ])('refuses %o, naming %s', (settings, name) => {
    let thrown: unknown;
    try {
      loadConfig({}, settings);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((thrown as Error).message).toContain(name);
    expect((thrown as Error).message).not.toContain('sk-secret-key');
  });
});
