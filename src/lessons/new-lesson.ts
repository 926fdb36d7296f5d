/**
 * Checks a lesson before it is stored: the same validation a `presentation` job's payload gets, so
 * a stored lesson always renders. Nothing is written when this throws (INVALID_PAYLOAD).
 */
import { v7 as uuidv7 } from 'uuid';
import { isJsonObject } from '../jobs/kinds.js';
import type { JsonObject } from '../jobs/model.js';
import { parsePresentationPayload } from '../render/lesson/payload.js';
import type { NewLesson } from './model.js';

export interface ResolvedNewLesson {
  id: string;
  userId: string;
  title: string;
  body: JsonObject;
}

/** `{title, slides}` is a JSON lesson; `{markdown}` and `{script}` (with an optional title) are text. */
function asPresentationInput(input: NewLesson): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (input.slides !== undefined) fields.lesson = { title: input.title ?? '', slides: input.slides };
  if (input.markdown !== undefined) fields.markdown = input.markdown;
  if (input.script !== undefined) fields.script = input.script;
  if (input.title !== undefined && input.slides === undefined) fields.title = input.title;
  if (input.assets !== undefined) fields.assets = input.assets;
  return fields;
}

/** `maxScriptChars`: LESSON_MAX_SCRIPT_CHARS, as the lesson's render will be given it. */
export function resolveNewLesson(
  userId: string,
  input: NewLesson,
  maxScriptChars: number,
): ResolvedNewLesson {
  const payload = parsePresentationPayload(asPresentationInput(input), maxScriptChars);
  const lesson = payload.lesson;
  if (!isJsonObject(lesson) || typeof lesson.title !== 'string') {
    throw new TypeError('parsePresentationPayload returned a payload without a lesson');
  }
  return { id: uuidv7(), userId, title: lesson.title, body: lesson };
}
