/**
 * Turns what the user pasted or dropped into the lesson part of a generate request: a JSON lesson
 * (`{title, slides}`, or a whole request with a `lesson`), Markdown, or a plain script.
 */
import type { GenerateRequest } from '../api/types.js';

export const LESSON_FORMATS = ['auto', 'script', 'markdown', 'json'] as const;
export type LessonFormat = (typeof LESSON_FORMATS)[number];

type LessonPart = Pick<GenerateRequest, 'lesson' | 'markdown' | 'script' | 'title'>;

export class LessonInputError extends Error {}

/** The format a file or text most likely is: by file name first, then by its first character. */
export function detectFormat(text: string, fileName?: string): Exclude<LessonFormat, 'auto'> {
  const name = fileName?.toLowerCase() ?? '';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.md') || name.endsWith('.markdown')) return 'markdown';
  const start = text.trimStart();
  if (start.startsWith('{')) return 'json';
  if (start.startsWith('#')) return 'markdown';
  return 'script';
}

export function lessonPart(text: string, format: LessonFormat, title: string): LessonPart {
  const content = text.trim();
  if (!content) throw new LessonInputError('Paste a script or a lesson, or drop a file, first.');
  const chosen = format === 'auto' ? detectFormat(content) : format;
  const withTitle = title.trim() ? { title: title.trim() } : {};
  if (chosen === 'markdown') return { markdown: content, ...withTitle };
  if (chosen === 'script') return { script: content, ...withTitle };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new LessonInputError(`This is not valid JSON: ${(error as Error).message}`);
  }
  const object = parsed as { lesson?: unknown; slides?: unknown } | null;
  const lesson = object && typeof object === 'object' && 'lesson' in object ? object.lesson : parsed;
  if (!lesson || typeof lesson !== 'object' || !Array.isArray((lesson as { slides?: unknown }).slides)) {
    throw new LessonInputError('A JSON lesson needs a "title" and a "slides" array.');
  }
  return { lesson: lesson as GenerateRequest['lesson'] };
}
