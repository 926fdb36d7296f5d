/** The one way lesson and payload validation fails: INVALID_PAYLOAD with a stable `reason`. */
import { ReelqueueError } from '../../errors.js';

export type InvalidLessonReason =
  | 'NOT_AN_OBJECT'
  | 'NO_INPUT'
  | 'CONFLICTING_INPUT'
  | 'BAD_FIELD'
  | 'EMPTY_SCRIPT'
  | 'SCRIPT_TOO_LONG'
  | 'TOO_MANY_SLIDES'
  | 'TOO_MANY_BULLETS'
  | 'TOO_MANY_IMAGES'
  | 'FIELD_TOO_LONG'
  | 'EMPTY_TITLE'
  | 'EMPTY_NARRATION'
  | 'UNKNOWN_STYLE'
  | 'UNKNOWN_VOICE'
  | 'BAD_RESOLUTION';

export function invalidLesson(
  reason: InvalidLessonReason,
  message: string,
  details: Record<string, unknown> = {},
): ReelqueueError {
  return new ReelqueueError('INVALID_PAYLOAD', message, { reason, ...details });
}
