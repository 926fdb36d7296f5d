/** Lesson input: JSON, Markdown and plain scripts; the options; every validation error's reason. */
import { describe, expect, it } from 'vitest';
import { isReelqueueError } from '../../src/errors.js';
import { parseMarkdownLesson } from '../../src/render/lesson/markdown.js';
import { LESSON_LIMITS } from '../../src/render/lesson/model.js';
import { parsePresentationPayload, parsePresentationRequest } from '../../src/render/lesson/payload.js';
import { groupScript } from '../../src/render/lesson/script.js';

const lesson = {
  title: 'Tides',
  slides: [{ title: 'The Moon', bullets: ['Gravity'], narration: 'The Moon pulls on the oceans.' }],
};

function reasonOf(payload: unknown): unknown {
  try {
    parsePresentationPayload(payload);
  } catch (error) {
    if (isReelqueueError(error, 'INVALID_PAYLOAD')) return error.details?.reason;
    throw error;
  }
  throw new Error('the payload was accepted');
}

describe('parsePresentationPayload', () => {
  it('fills in every option and keeps a JSON lesson as it is', () => {
    expect(parsePresentationPayload({ lesson })).toEqual({
      lesson: {
        title: 'Tides',
        slides: [{ title: 'The Moon', bullets: ['Gravity'], narration: 'The Moon pulls on the oceans.' }],
      },
      style: 'default',
      voice: 'en-us',
      resolution: '1280x720',
      captions: 'soft',
      title_slide: true,
      closing_slide: true,
      reveal_bullets: false,
    });
  });

  it('keeps the caption, title-slide and closing-slide options, and a subtitle and author given beside the lesson', () => {
    const payload = parsePresentationPayload({
      lesson: { ...lesson, subtitle: ' Why  seas rise ', author: 'Ms Rivera' },
      author: 'Mr Okafor',
      captions: 'burned',
      title_slide: false,
      closing_slide: false,
    });
    expect(payload).toMatchObject({
      lesson: { title: 'Tides', subtitle: 'Why seas rise', author: 'Mr Okafor' },
      captions: 'burned',
      title_slide: false,
      closing_slide: false,
    });
    expect(parsePresentationPayload(payload)).toEqual(payload);
  });

  it('keeps reveal_bullets', () => {
    const payload = parsePresentationPayload({ lesson, reveal_bullets: true });
    expect(payload).toMatchObject({ reveal_bullets: true });
    expect(parsePresentationPayload(payload)).toEqual(payload);
  });

  it('refuses an unknown caption mode and a title_slide that is not a boolean', () => {
    expect(reasonOf({ lesson, captions: 'hard' })).toBe('BAD_FIELD');
    expect(reasonOf({ lesson, title_slide: 'yes' })).toBe('BAD_FIELD');
    expect(reasonOf({ lesson, reveal_bullets: 1 })).toBe('BAD_FIELD');
  });

  it('gives the same object when parsing its own output', () => {
    for (const payload of [
      { lesson, style: 'scrolling', voice: 'EN-GB', resolution: '640x360' },
      { markdown: '# T\n\n## A\n\n- b\n\nSay **this**.', title: 'Other title' },
      { script: 'One.\n\nTwo.\n\nThree.' },
    ]) {
      const normalised = parsePresentationPayload(payload);
      expect(parsePresentationPayload(normalised)).toEqual(normalised);
    }
  });

  it('drops fields it does not know', () => {
    expect(parsePresentationPayload({ lesson, walletAddress: 'x' })).not.toHaveProperty('walletAddress');
  });

  it('cleans text but keeps it literal', () => {
    const hostile = "It's $(id) `id` -y 100% \\ 🎉 שלום";
    const { lesson: parsed } = parsePresentationRequest({
      lesson: { title: ` ${hostile}\u0000 `, slides: [{ title: 'a\tb', narration: `x\u0007\r\n\r\ny` }] },
    });
    expect(parsed.title).toBe(hostile);
    expect(parsed.slides[0]).toEqual({ title: 'a b', bullets: [], narration: 'x\n\ny' });
  });

  it.each([
    ['a non-object', 'text', 'NOT_AN_OBJECT'],
    ['no lesson at all', { style: 'default' }, 'NO_INPUT'],
    ['two inputs', { lesson, script: 'x' }, 'CONFLICTING_INPUT'],
    ['an empty script', { script: '  \n\n ' }, 'EMPTY_SCRIPT'],
    ['empty Markdown', { markdown: '' }, 'EMPTY_SCRIPT'],
    ['a lesson without slides', { lesson: { title: 'T', slides: [] } }, 'EMPTY_SCRIPT'],
    [
      'a script that is too long',
      { script: 'word '.repeat(LESSON_LIMITS.maxScriptChars / 5 + 1) },
      'SCRIPT_TOO_LONG',
    ],
    [
      'a lesson whose text is too long',
      {
        lesson: {
          title: 'T',
          // Each slide within its own limits, together over the lesson's.
          slides: Array.from(
            { length: Math.ceil(LESSON_LIMITS.maxScriptChars / LESSON_LIMITS.maxNarrationChars) + 1 },
            () => ({ title: 'S', narration: 'x'.repeat(LESSON_LIMITS.maxNarrationChars) }),
          ),
        },
      },
      'SCRIPT_TOO_LONG',
    ],
    [
      'too many slides',
      {
        lesson: {
          title: 'T',
          slides: Array.from({ length: LESSON_LIMITS.maxSlides + 1 }, () => ({ title: 'S', narration: 'n' })),
        },
      },
      'TOO_MANY_SLIDES',
    ],
    [
      'too many bullets',
      {
        lesson: {
          title: 'T',
          slides: [
            { title: 'S', narration: 'n', bullets: Array(LESSON_LIMITS.maxBulletsPerSlide + 1).fill('b') },
          ],
        },
      },
      'TOO_MANY_BULLETS',
    ],
    [
      'a title that is too long',
      { lesson: { ...lesson, title: 'x'.repeat(LESSON_LIMITS.maxTitleChars + 1) } },
      'FIELD_TOO_LONG',
    ],
    ['an empty title', { lesson: { ...lesson, title: '   ' } }, 'EMPTY_TITLE'],
    [
      'a slide with nothing to say',
      { lesson: { title: 'T', slides: [{ title: 'S', narration: ' ' }] } },
      'EMPTY_NARRATION',
    ],
    ['a slide that is not an object', { lesson: { title: 'T', slides: ['S'] } }, 'BAD_FIELD'],
    [
      'bullets that are not strings',
      { lesson: { title: 'T', slides: [{ title: 'S', narration: 'n', bullets: [1] }] } },
      'BAD_FIELD',
    ],
    ['an unknown style', { lesson, style: 'fancy' }, 'UNKNOWN_STYLE'],
    ['an unknown voice', { lesson, voice: 'klingon' }, 'UNKNOWN_VOICE'],
    ['a voice that is not a string', { lesson, voice: 7 }, 'UNKNOWN_VOICE'],
    ['a resolution that is not WxH', { lesson, resolution: '720p' }, 'BAD_RESOLUTION'],
    ['an odd resolution', { lesson, resolution: '641x360' }, 'BAD_RESOLUTION'],
    ['a resolution that is too small', { lesson, resolution: '100x60' }, 'BAD_RESOLUTION'],
    ['a resolution that is too large', { lesson, resolution: '3840x2160' }, 'BAD_RESOLUTION'],
  ])('rejects %s with INVALID_PAYLOAD and reason %s', (_name, payload, reason) => {
    expect(reasonOf(payload)).toBe(reason);
  });

  it('names the field at fault', () => {
    try {
      parsePresentationPayload({
        lesson: { title: 'T', slides: [lesson.slides[0], { title: 'S', narration: '' }] },
      });
      expect.unreachable();
    } catch (error) {
      expect(isReelqueueError(error) && error.details).toMatchObject({
        reason: 'EMPTY_NARRATION',
        field: 'lesson.slides[1].narration',
      });
    }
  });
});

describe('Markdown lessons', () => {
  it('reads the title, one slide per ##, bullets and narration', () => {
    const parsed = parseMarkdownLesson(
      [
        '# Photosynthesis',
        '',
        '## Light',
        '',
        '- Chlorophyll absorbs **light**',
        '* Green is reflected',
        '  and bounces back',
        '',
        'Plants catch light.',
        'They use it.',
        '',
        'A second paragraph with a [link](http://example.com).',
        '',
        '## Sugar',
        '',
        '1. Glucose',
        '2. Starch',
      ].join('\n'),
    );
    expect(parsed).toEqual({
      title: 'Photosynthesis',
      slides: [
        {
          title: 'Light',
          bullets: ['Chlorophyll absorbs light', 'Green is reflected and bounces back'],
          narration: 'Plants catch light. They use it.\n\nA second paragraph with a link.',
        },
        { title: 'Sugar', bullets: ['Glucose', 'Starch'], narration: 'Glucose. Starch.' },
      ],
    });
  });

  it('makes an opening slide of text before the first ## and splits Markdown without ## like a script', () => {
    expect(parseMarkdownLesson('# T\n\nIntro.\n\n## A\n\nBody.').slides.map((slide) => slide.title)).toEqual([
      'T',
      'A',
    ]);
    expect(parseMarkdownLesson('# T\n\nJust a paragraph.').slides).toEqual([
      { title: 'T', bullets: [], narration: 'Just a paragraph.' },
    ]);
  });

  it('keeps backticks, dollars and dashes literally', () => {
    const parsed = parseMarkdownLesson('# T\n\n## -y\n\nRun `$(id)` -f lavfi.');
    expect(parsed.slides[0]).toEqual({ title: '-y', bullets: [], narration: 'Run `$(id)` -f lavfi.' });
  });
});

describe('plain scripts', () => {
  it('groups short paragraphs and keeps them as paragraphs', () => {
    expect(groupScript('One.\n\nTwo.\n\n\nThree.')).toEqual(['One.\n\nTwo.\n\nThree.']);
  });

  it('cuts long paragraphs between sentences and never makes more slides than allowed', () => {
    const sentence = 'This sentence is about fifty characters long, ok. ';
    const slides = groupScript(sentence.repeat(30));
    expect(slides.length).toBeGreaterThan(2);
    for (const slide of slides) expect(slide.length).toBeLessThanOrEqual(460);
    const many = groupScript(
      Array.from({ length: 300 }, (_, index) => `Paragraph ${index} ${'x'.repeat(40)}.`).join('\n\n'),
    );
    expect(many.length).toBeLessThanOrEqual(LESSON_LIMITS.maxSlides);
  });

  it('breaks a script without spaces or punctuation between characters', () => {
    const slides = groupScript('y'.repeat(6000));
    expect(slides.join('')).toBe('y'.repeat(6000));
    for (const slide of slides) expect(slide.length).toBeLessThanOrEqual(450);
    expect(parsePresentationRequest({ script: 'y'.repeat(6000) }).lesson.slides.length).toBe(14);
  });

  it('gives script slides numbered titles, or the lesson title when there is one slide', () => {
    const many = parsePresentationRequest({ script: 'A paragraph. '.repeat(60), title: 'Wind' });
    expect(many.lesson.slides.map((slide) => slide.title).slice(0, 2)).toEqual(['Part 1', 'Part 2']);
    expect(parsePresentationRequest({ script: 'Short.', title: 'Wind' }).lesson.slides[0]?.title).toBe(
      'Wind',
    );
  });
});
