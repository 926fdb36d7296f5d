/**
 * A batch of completions as both stores' one-statement completion reads it, and its outcome: the
 * JSON array `[{id, attempt, worker_id, result}]` in, the ids of the jobs it completed out.
 */
import type { Completion } from '../jobs/store.js';

export function completionsJson(completions: readonly Completion[]): string {
  return JSON.stringify(
    completions.map(({ lease, result, clearLessonText }) => ({
      id: lease.jobId,
      attempt: lease.attempt,
      worker_id: lease.workerId,
      result,
      clear_lesson: clearLessonText === true,
    })),
  );
}

/** For each completion, in order: whether its job was among those completed. */
export function completedInOrder(
  completions: readonly Completion[],
  completedIds: Iterable<string>,
): boolean[] {
  const done = new Set(completedIds);
  return completions.map(({ lease }) => done.has(lease.jobId));
}
