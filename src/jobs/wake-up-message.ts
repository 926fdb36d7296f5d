/**
 * The text of a wake-up, the same over PostgreSQL NOTIFY and Redis pub/sub: `a` jobs are available,
 * `a:<count>` that many, `a:<count>:<kind>` that many, all of one kind; `c:<id>` a cancel was
 * requested; `k` API keys or users changed. Workers use the count and kind to decide whether to
 * claim (wake-up-lottery.ts); a wake-up without them wakes every worker, as before.
 */
import type { AvailableJobs } from './store.js';

export type WakeUp =
  | { type: 'available'; jobs: AvailableJobs | undefined }
  | { type: 'cancel'; jobId: string }
  | { type: 'keys' };

export function availableMessage(jobs?: AvailableJobs): string {
  if (!jobs) return 'a';
  return jobs.kind === null ? `a:${jobs.count}` : `a:${jobs.count}:${jobs.kind}`;
}

export function cancelMessage(jobId: string): string {
  return `c:${jobId}`;
}

/** The wake-up a message says, or null for one this version does not know. */
export function parseWakeUp(message: string): WakeUp | null {
  if (message === 'k') return { type: 'keys' };
  if (message.startsWith('c:')) return { type: 'cancel', jobId: message.slice(2) };
  if (message === 'a') return { type: 'available', jobs: undefined };
  const match = /^a:(\d{1,9})(?::(.+))?$/.exec(message);
  if (!match) return null;
  return { type: 'available', jobs: { count: Number(match[1]), kind: match[2] ?? null } };
}
