/**
 * A job as JSON and back, for the status cache: dates travel as ISO strings (milliseconds, all a
 * `Date` holds) and are revived field by field; every other field is JSON already.
 */
import type { Job } from '../jobs/model.js';

/** A job as `JSON.stringify` writes it: its dates as strings. */
export type JobJson = {
  [K in keyof Job]: Job[K] extends Date ? string : Job[K] extends Date | null ? string | null : Job[K];
};

const dateOrNull = (text: string | null): Date | null => (text === null ? null : new Date(text));

export function jobFromJson(json: JobJson): Job {
  return {
    ...json,
    createdAt: new Date(json.createdAt),
    updatedAt: new Date(json.updatedAt),
    runAt: new Date(json.runAt),
    startedAt: dateOrNull(json.startedAt),
    completedAt: dateOrNull(json.completedAt),
    leaseExpiresAt: dateOrNull(json.leaseExpiresAt),
    lastHeartbeat: dateOrNull(json.lastHeartbeat),
    cancelRequestedAt: dateOrNull(json.cancelRequestedAt),
    deadlineAt: dateOrNull(json.deadlineAt),
  };
}
