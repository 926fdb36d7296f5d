/**
 * Checks a lesson given as JSON (`{title, subtitle?, author?, slides: [{title, bullets?, narration, image?}],
 * assets?}`) and returns it cleaned (images: ./images.ts). Every failure is INVALID_PAYLOAD with a `reason` and the `field` at fault.
 */
import { lessonImages, type LessonImages } from './images.js';
import { invalidLesson } from './invalid.js';
import { LESSON_LIMITS, type Lesson, type LessonSlide } from './model.js';
import { cleanLine, cleanParagraphs } from './text.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw invalidLesson('BAD_FIELD', `${field} must be a string`, { field });
  }
  return value;
}

function checkLength(text: string, max: number, field: string): string {
  if (text.length > max) {
    throw invalidLesson('FIELD_TOO_LONG', `${field} is ${text.length} characters; the limit is ${max}`, {
      field,
      length: text.length,
      limit: max,
    });
  }
  return text;
}

function lessonTitle(value: unknown, field: string): string {
  const title = cleanLine(requireString(value, field));
  if (title === '') throw invalidLesson('EMPTY_TITLE', `${field} is empty`, { field });
  return checkLength(title, LESSON_LIMITS.maxTitleChars, field);
}

/** An optional line (a subtitle, an author): absent, null or blank means none. */
export function optionalLine(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const line = cleanLine(requireString(value, field));
  return line === '' ? undefined : checkLength(line, LESSON_LIMITS.maxTitleChars, field);
}

function slideBullets(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw invalidLesson('BAD_FIELD', `${field} must be a list of strings`, { field });
  const bullets = value
    .map((bullet, index) => cleanLine(requireString(bullet, `${field}[${index}]`)))
    .filter((bullet) => bullet !== '');
  if (bullets.length > LESSON_LIMITS.maxBulletsPerSlide) {
    throw invalidLesson(
      'TOO_MANY_BULLETS',
      `${field} has ${bullets.length} bullets; the limit is ${LESSON_LIMITS.maxBulletsPerSlide}`,
      { field, count: bullets.length, limit: LESSON_LIMITS.maxBulletsPerSlide },
    );
  }
  return bullets.map((bullet, index) =>
    checkLength(bullet, LESSON_LIMITS.maxBulletChars, `${field}[${index}]`),
  );
}

function slide(value: unknown, field: string, images: LessonImages): LessonSlide {
  if (!isRecord(value)) throw invalidLesson('BAD_FIELD', `${field} must be an object`, { field });
  const title = lessonTitle(value.title, `${field}.title`);
  const bullets = slideBullets(value.bullets, `${field}.bullets`);
  const narration = cleanParagraphs(requireString(value.narration ?? '', `${field}.narration`));
  if (narration === '') {
    throw invalidLesson(
      'EMPTY_NARRATION',
      `${field}.narration is empty: every slide needs something to say`,
      {
        field: `${field}.narration`,
      },
    );
  }
  checkLength(narration, LESSON_LIMITS.maxNarrationChars, `${field}.narration`);
  const image = images.slideImage(value.image, `${field}.image`);
  return { title, bullets, narration, ...(image && { image }) };
}

export function lessonTextLength(lesson: Lesson): number {
  let total = lesson.title.length + (lesson.subtitle?.length ?? 0) + (lesson.author?.length ?? 0);
  for (const { title, bullets, narration } of lesson.slides) {
    total += title.length + narration.length + bullets.reduce((sum, bullet) => sum + bullet.length, 0);
  }
  return total;
}

/** `maxScriptChars`: the deployment's LESSON_MAX_SCRIPT_CHARS. */
export function checkScriptLength(length: number, field: string, maxScriptChars: number): void {
  if (length > maxScriptChars) {
    throw invalidLesson(
      'SCRIPT_TOO_LONG',
      `${field} is ${length} characters; the limit is ${maxScriptChars} (LESSON_MAX_SCRIPT_CHARS)`,
      { field, length, limit: maxScriptChars },
    );
  }
}

export function checkSlideCount(count: number, field: string): void {
  if (count === 0)
    throw invalidLesson('EMPTY_SCRIPT', `${field} has no slides: there is nothing to say`, { field });
  if (count > LESSON_LIMITS.maxSlides) {
    throw invalidLesson(
      'TOO_MANY_SLIDES',
      `${field} has ${count} slides; the limit is ${LESSON_LIMITS.maxSlides}`,
      {
        field,
        count,
        limit: LESSON_LIMITS.maxSlides,
      },
    );
  }
}

/**
 * Validates and cleans a lesson object; `field` names it in error messages, and `assetsField` its
 * `assets` (sent beside the lesson rather than in it: `assets`). Its text may be at most
 * `maxScriptChars` characters (LESSON_MAX_SCRIPT_CHARS).
 */
export function validateLesson(
  input: unknown,
  maxScriptChars: number,
  field = 'lesson',
  assetsField = `${field}.assets`,
): Lesson {
  if (!isRecord(input)) throw invalidLesson('BAD_FIELD', `${field} must be an object`, { field });
  const title = lessonTitle(input.title, `${field}.title`);
  if (!Array.isArray(input.slides)) {
    throw invalidLesson('BAD_FIELD', `${field}.slides must be a list`, { field: `${field}.slides` });
  }
  checkSlideCount(input.slides.length, `${field}.slides`);
  const subtitle = optionalLine(input.subtitle, `${field}.subtitle`);
  const author = optionalLine(input.author, `${field}.author`);
  const images = lessonImages(input.assets, assetsField);
  const slides = input.slides.map((value, index) => slide(value, `${field}.slides[${index}]`, images));
  const assets = images.usedAssets();
  const lesson: Lesson = {
    title,
    ...(subtitle !== undefined && { subtitle }),
    ...(author !== undefined && { author }),
    slides,
    ...(assets.length > 0 && { assets }),
  };
  checkScriptLength(lessonTextLength(lesson), field, maxScriptChars);
  return lesson;
}
