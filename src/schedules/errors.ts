/** The errors a schedule's store raises, worded once for both dialects. */
import { ReelqueueError } from '../errors.js';

export function scheduleNotFound(name: string): ReelqueueError {
  return new ReelqueueError('SCHEDULE_NOT_FOUND', `No schedule is named ${JSON.stringify(name)}`, { name });
}

export function scheduleExists(name: string): ReelqueueError {
  return new ReelqueueError(
    'SCHEDULE_EXISTS',
    `A schedule named ${JSON.stringify(name)} exists already: change it with PATCH (or remove it first)`,
    { name },
  );
}
