/**
 * The payload of a `presentation` job: what a client sends and what is stored. A client sends one of
 * `lesson` (JSON), `markdown` or `script` (plain text split into slides), with optional `title`,
 * `subtitle`, `author`, `style`, `voice`, `resolution` (`"WIDTHxHEIGHT"`), `captions` (`soft`,
 * `burned`, `off`), `title_slide` and `closing_slide` (both on unless false), `reveal_bullets` (off unless true), and
 * `assets`
 * (`[{name, content_base64}]`, images the slides refer to as `asset:NAME`). The stored form always has a
 * full `lesson` (with the assets its slides use) and every option filled in, and parsing it again gives
 * the same object.
 */
import type { JsonObject } from '../../jobs/model.js';
import { DEFAULT_VOICE, isSupportedVoice, SUPPORTED_VOICES } from '../tts/voices.js';
import { invalidLesson } from './invalid.js';
import { parseMarkdownLesson, withoutImageSources } from './markdown.js';
import {
  CAPTION_MODES,
  DEFAULT_CAPTIONS,
  DEFAULT_RESOLUTION,
  DEFAULT_STYLE,
  LESSON_LIMITS,
  RENDER_STYLES,
  RESOLUTION_LIMITS,
  type CaptionMode,
  type Lesson,
  type PresentationRequest,
  type RenderStyle,
  type Resolution,
} from './model.js';
import { scriptToSlides } from './script.js';
import { cleanLine } from './text.js';
import { checkScriptLength, optionalLine, validateLesson } from './validate.js';

export const PRESENTATION_INPUT_FIELDS = ['lesson', 'markdown', 'script'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseStyle(value: unknown): RenderStyle {
  if (value === undefined || value === null) return DEFAULT_STYLE;
  if (typeof value === 'string' && (RENDER_STYLES as readonly string[]).includes(value))
    return value as RenderStyle;
  throw invalidLesson(
    'UNKNOWN_STYLE',
    `Unknown style ${JSON.stringify(value)}; use one of ${RENDER_STYLES.join(', ')}`,
    {
      field: 'style',
      allowed: [...RENDER_STYLES],
    },
  );
}

function parseVoice(value: unknown): string {
  if (value === undefined || value === null) return DEFAULT_VOICE;
  if (typeof value === 'string' && isSupportedVoice(value.toLowerCase())) return value.toLowerCase();
  throw invalidLesson(
    'UNKNOWN_VOICE',
    `Unknown voice ${JSON.stringify(value)}; use one of ${SUPPORTED_VOICES.join(', ')}`,
    {
      field: 'voice',
      allowed: [...SUPPORTED_VOICES],
    },
  );
}

function parseCaptions(value: unknown): CaptionMode {
  if (value === undefined || value === null) return DEFAULT_CAPTIONS;
  if (typeof value === 'string' && (CAPTION_MODES as readonly string[]).includes(value))
    return value as CaptionMode;
  throw invalidLesson(
    'BAD_FIELD',
    `captions must be one of ${CAPTION_MODES.join(', ')}; got ${JSON.stringify(value)}`,
    { field: 'captions', allowed: [...CAPTION_MODES] },
  );
}

function parseSwitch(
  value: unknown,
  field: 'title_slide' | 'closing_slide' | 'reveal_bullets',
  byDefault: boolean,
): boolean {
  if (value === undefined || value === null) return byDefault;
  if (typeof value === 'boolean') return value;
  throw invalidLesson('BAD_FIELD', `${field} must be true or false`, { field });
}

export function parseResolution(value: unknown): Resolution {
  if (value === undefined || value === null) return DEFAULT_RESOLUTION;
  const match = typeof value === 'string' ? /^(\d{2,5})x(\d{2,5})$/.exec(value.trim().toLowerCase()) : null;
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  const limits = RESOLUTION_LIMITS;
  if (
    !match ||
    width % 2 !== 0 ||
    height % 2 !== 0 ||
    width < limits.minWidth ||
    height < limits.minHeight ||
    width > limits.maxWidth ||
    height > limits.maxHeight ||
    width * height > limits.maxPixels
  ) {
    throw invalidLesson(
      'BAD_RESOLUTION',
      `resolution must be "WIDTHxHEIGHT" with even numbers, from ${limits.minWidth}x${limits.minHeight} ` +
        `to ${limits.maxWidth}x${limits.maxHeight} and at most ${limits.maxPixels} pixels; got ${JSON.stringify(value)}`,
      { field: 'resolution' },
    );
  }
  return { width, height };
}

function parseTitle(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw invalidLesson('BAD_FIELD', 'title must be a string', { field: 'title' });
  const title = cleanLine(value);
  return title === '' ? undefined : title;
}

function textInput(value: unknown, field: 'markdown' | 'script', maxScriptChars: number): string {
  if (typeof value !== 'string') throw invalidLesson('BAD_FIELD', `${field} must be a string`, { field });
  // Images' data URLs are not text: their size is checked with the images.
  checkScriptLength(
    field === 'markdown' ? withoutImageSources(value).length : value.length,
    field,
    maxScriptChars,
  );
  if (value.trim() === '')
    throw invalidLesson('EMPTY_SCRIPT', `${field} is empty: there is nothing to say`, { field });
  return value;
}

function parseLesson(input: Record<string, unknown>, maxScriptChars: number): Lesson {
  const given = PRESENTATION_INPUT_FIELDS.filter(
    (field) => input[field] !== undefined && input[field] !== null,
  );
  if (given.length === 0) {
    throw invalidLesson('NO_INPUT', 'Give the lesson as one of "lesson" (JSON), "markdown" or "script"', {
      allowed: [...PRESENTATION_INPUT_FIELDS],
    });
  }
  if (given.length > 1) {
    throw invalidLesson(
      'CONFLICTING_INPUT',
      `Give only one of ${given.map((field) => `"${field}"`).join(', ')}`,
      {
        given,
      },
    );
  }
  const title = parseTitle(input.title);
  const assets = input.assets ?? undefined;
  if (given[0] === 'lesson') {
    if (!isRecord(input.lesson)) return validateLesson(input.lesson, maxScriptChars);
    const lessonAssets: unknown = input.lesson.assets ?? undefined;
    if (assets !== undefined && lessonAssets !== undefined) {
      throw invalidLesson(
        'CONFLICTING_INPUT',
        'Give the assets either beside the lesson or in it, not both',
        {
          given: ['assets', 'lesson.assets'],
        },
      );
    }
    return validateLesson(
      { ...input.lesson, ...(title !== undefined && { title }), ...(assets !== undefined && { assets }) },
      maxScriptChars,
      'lesson',
      assets === undefined ? 'lesson.assets' : 'assets',
    );
  }
  if (given[0] === 'markdown') {
    const parsed = parseMarkdownLesson(textInput(input.markdown, 'markdown', maxScriptChars), title);
    return validateLesson({ ...parsed, assets }, maxScriptChars, 'markdown', 'assets');
  }
  const lessonTitle = title ?? 'Lesson';
  const script = textInput(input.script, 'script', maxScriptChars);
  return validateLesson(
    { title: lessonTitle, slides: scriptToSlides(script, lessonTitle), assets },
    maxScriptChars,
    'script',
    'assets',
  );
}

/**
 * Validates a payload and returns the request it describes. `maxScriptChars` is the deployment's
 * LESSON_MAX_SCRIPT_CHARS (`Config.lessonMaxScriptChars`); every parse of a lesson is given it.
 */
export function parsePresentationRequest(
  input: unknown,
  maxScriptChars: number = LESSON_LIMITS.maxScriptChars,
): PresentationRequest {
  if (!isRecord(input))
    throw invalidLesson('NOT_AN_OBJECT', 'The presentation payload must be a JSON object');
  const style = parseStyle(input.style);
  const voice = parseVoice(input.voice);
  const resolution = parseResolution(input.resolution);
  const captions = parseCaptions(input.captions);
  const titleSlide = parseSwitch(input.title_slide, 'title_slide', true);
  const closingSlide = parseSwitch(input.closing_slide, 'closing_slide', true);
  const revealBullets = parseSwitch(input.reveal_bullets, 'reveal_bullets', false);
  const parsed = parseLesson(input, maxScriptChars);
  // `subtitle` and `author` beside the lesson win over the lesson's own, as `title` does.
  const subtitle = optionalLine(input.subtitle, 'subtitle') ?? parsed.subtitle;
  const author = optionalLine(input.author, 'author') ?? parsed.author;
  const lesson: Lesson = {
    title: parsed.title,
    ...(subtitle !== undefined && { subtitle }),
    ...(author !== undefined && { author }),
    slides: parsed.slides,
    ...(parsed.assets !== undefined && { assets: parsed.assets }),
  };
  return { lesson, style, voice, resolution, captions, titleSlide, closingSlide, revealBullets };
}

export function presentationPayload(request: PresentationRequest): JsonObject {
  return {
    lesson: {
      title: request.lesson.title,
      ...(request.lesson.subtitle !== undefined && { subtitle: request.lesson.subtitle }),
      ...(request.lesson.author !== undefined && { author: request.lesson.author }),
      slides: request.lesson.slides.map((slide) => ({
        title: slide.title,
        bullets: [...slide.bullets],
        narration: slide.narration,
        ...(slide.image && { image: { src: slide.image.src, alt: slide.image.alt } }),
      })),
      ...(request.lesson.assets && {
        assets: request.lesson.assets.map((asset) => ({
          name: asset.name,
          content_base64: asset.contentBase64,
        })),
      }),
    },
    style: request.style,
    voice: request.voice,
    resolution: `${request.resolution.width}x${request.resolution.height}`,
    captions: request.captions,
    title_slide: request.titleSlide,
    closing_slide: request.closingSlide,
    reveal_bullets: request.revealBullets,
  };
}

/**
 * The `parsePayload` of the `presentation` job kind: validates and normalises, throwing
 * INVALID_PAYLOAD with `details.reason` (see `InvalidLessonReason`). Fields it does not know are dropped.
 */
export function parsePresentationPayload(
  input: unknown,
  maxScriptChars: number = LESSON_LIMITS.maxScriptChars,
): JsonObject {
  return presentationPayload(parsePresentationRequest(input, maxScriptChars));
}
