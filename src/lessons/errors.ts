/** The errors of stored lessons, worded once. */
import { ReelqueueError } from '../errors.js';

export function lessonNotFound(id: string): ReelqueueError {
  return new ReelqueueError('LESSON_NOT_FOUND', `No lesson ${id}`, { lessonId: id });
}
