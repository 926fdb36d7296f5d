/**
 * LESSON_MAX_SCRIPT_CHARS: a setting (default 60,000, room for a 20-minute lesson) that every parse
 * of a lesson is given; over it a lesson is INVALID_PAYLOAD with reason SCRIPT_TOO_LONG.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { LESSON_LIMITS } from '../../src/render/lesson/model.js';
import { parsePresentationRequest } from '../../src/render/lesson/payload.js';
import { lessonTextLength } from '../../src/render/lesson/validate.js';

const TWENTY_MINUTES = readFileSync(
  new URL('../../examples/electricity-long-lesson.md', import.meta.url),
  'utf8',
);

const refusal = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
};

describe('LESSON_MAX_SCRIPT_CHARS', () => {
  it('defaults to 60,000 and refuses what is not a whole number from 100 to 1,000,000', () => {
    expect(loadConfig({}).lessonMaxScriptChars).toBe(60_000);
    expect(loadConfig({ LESSON_MAX_SCRIPT_CHARS: '30000' }).lessonMaxScriptChars).toBe(30_000);
    for (const bad of ['abc', '99', '1000001', '2.5']) {
      expect(refusal(() => loadConfig({ LESSON_MAX_SCRIPT_CHARS: bad }))).toMatchObject({
        code: 'CONFIG_INVALID',
        details: { problems: [{ setting: 'LESSON_MAX_SCRIPT_CHARS' }] },
      });
    }
  });

  it('lets the 20-minute example through at the default, which the old 20,000 refused', () => {
    const request = parsePresentationRequest({ markdown: TWENTY_MINUTES });
    expect(lessonTextLength(request.lesson)).toBeGreaterThan(20_000);
    expect(request.lesson.slides.length).toBeLessThanOrEqual(LESSON_LIMITS.maxSlides);
  });

  it.each([
    ['markdown', (limit: number) => ({ markdown: `# T\n\n## S\n\n${'a'.repeat(limit - 10)}` })],
    ['script', (limit: number) => ({ script: 'b'.repeat(limit + 1) })],
    [
      'lesson',
      (limit: number) => ({
        lesson: { title: 'T', slides: [{ title: 'S', narration: 'c'.repeat(limit - 1) }] },
      }),
    ],
  ])('refuses a %s over the limit it is given, with the limit and the setting named', (field, payload) => {
    expect(refusal(() => parsePresentationRequest(payload(1000), 1000))).toMatchObject({
      code: 'INVALID_PAYLOAD',
      message: expect.stringContaining('the limit is 1000 (LESSON_MAX_SCRIPT_CHARS)'),
      details: { reason: 'SCRIPT_TOO_LONG', field, limit: 1000 },
    });
    expect(() => parsePresentationRequest(payload(1000), 2000)).not.toThrow();
  });
});
