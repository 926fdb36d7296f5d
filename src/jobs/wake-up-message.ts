/**
 * The text of a wake-up, the same over PostgreSQL NOTIFY and Redis pub/sub: `a` jobs are available,
 * `a:<count>` that many, `a:<count>:<kind>` that many, all of one kind; `t:<ms>:<count>[:<kind>]`
 * that many jobs fall due `ms` after the sending (a retry's delay, a `run_at` ahead: workers arm a
 * timer each, so that the jobs are found at their due time even if their writer has stopped);
 * `c:<id>` a cancel was requested; `k` API keys or users changed. A version that does not know a
 * message ignores it (PostgreSQL, Redis) or hears a change it cannot read (the SQLite wake file). Workers use the count and kind to decide whether to
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

/** Jobs that fall due `inMs` from now (rounded up: a timer armed from it never fires early). */
export function dueMessage(jobs: AvailableJobs, inMs: number): string {
  const count = availableMessage({ count: jobs.count, kind: jobs.kind }).slice(2);
  return `t:${Math.max(0, Math.ceil(inMs))}:${count}`;
}

export function cancelMessage(jobId: string): string {
  return `c:${jobId}`;
}

/** The wake-up a message says, or null for one this version does not know. */
export function parseWakeUp(message: string): WakeUp | null {
  if (message === 'k') return { type: 'keys' };
  if (message.startsWith('c:')) return { type: 'cancel', jobId: message.slice(2) };
  if (message === 'a') return { type: 'available', jobs: undefined };
  const due = /^t:(\d{1,12}):(\d{1,9})(?::(.+))?$/.exec(message);
  if (due) {
    const jobs = { count: Number(due[2]), kind: due[3] ?? null, dueInMs: Number(due[1]) };
    return { type: 'available', jobs };
  }
  const match = /^a:(\d{1,9})(?::(.+))?$/.exec(message);
  if (!match) return null;
  return { type: 'available', jobs: { count: Number(match[1]), kind: match[2] ?? null } };
}
