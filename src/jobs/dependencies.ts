/**
 * Jobs that wait for others (migration 0030): the checks of a new job's parents and the state it
 * starts in, the same for both dialects. The database triggers move it on from there.
 */
import { ReelqueueError } from '../errors.js';
import type { ParentResult } from './kinds.js';
import { ALL_JOBS, type JobStore } from './store.js';
import {
  ON_PARENT_FAILURE,
  PARENT_ERROR_CODES,
  type JobStatus,
  type NewJob,
  type OnParentFailure,
  type ResolvedNewJob,
} from './model.js';

/** Most parents one job may name. */
export const MAX_PARENTS = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `dependsOn` checked (each a job id, at most MAX_PARENTS, each once) and the rule resolved. */
export function resolveDependencies(
  input: Pick<NewJob, 'dependsOn' | 'onParentFailure'>,
): Pick<ResolvedNewJob, 'dependsOn' | 'onParentFailure'> {
  const rule = input.onParentFailure ?? 'fail';
  if (!(ON_PARENT_FAILURE as readonly string[]).includes(rule)) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `on_parent_failure must be one of ${ON_PARENT_FAILURE.join(', ')}, got ${JSON.stringify(rule)}`,
      { field: 'on_parent_failure', allowed: [...ON_PARENT_FAILURE] },
    );
  }
  const ids = [...new Set((input.dependsOn ?? []).map((id) => String(id).toLowerCase()))];
  if (ids.length > MAX_PARENTS) {
    throw new ReelqueueError('VALIDATION_FAILED', `depends_on may name at most ${MAX_PARENTS} jobs`, {
      field: 'depends_on',
      limit: MAX_PARENTS,
    });
  }
  const malformed = ids.filter((id) => !UUID.test(id));
  if (malformed.length > 0) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `depends_on holds ids that are not job ids: ${malformed.join(', ')}`,
      {
        field: 'depends_on',
        ids: malformed,
      },
    );
  }
  return { dependsOn: ids, onParentFailure: rule };
}

export function parentNotFound(missing: readonly string[]): ReelqueueError {
  return new ReelqueueError(
    'PARENT_NOT_FOUND',
    `No such job to depend on: ${missing.join(', ')}; nothing was queued`,
    { parent_ids: [...missing] },
  );
}

/** A parent as the enqueue finds it, locked. */
export interface ParentState {
  id: string;
  status: JobStatus;
  errorCode: string | null;
}

/** What a new child is once its parents are known: the columns its enqueue writes. */
export interface InitialDependencyState {
  status: Extract<JobStatus, 'pending' | 'waiting' | 'failed' | 'cancelled'>;
  waitingParents: number;
  errorCode: string | null;
  message: string;
}

const UNSUCCESSFUL: readonly JobStatus[] = ['failed', 'cancelled', 'timeout'];

/** The same rule as the triggers of migration 0030, applied to parents that may already have ended. */
export function initialDependencyState(
  parents: readonly ParentState[],
  rule: OnParentFailure,
): InitialDependencyState {
  const ended = parents.find((parent) => UNSUCCESSFUL.includes(parent.status));
  if (ended && rule !== 'run') {
    const inherited = (PARENT_ERROR_CODES as readonly (string | null)[]).includes(ended.errorCode);
    const errorCode = inherited
      ? (ended.errorCode as string)
      : ended.status === 'cancelled'
        ? 'PARENT_CANCELLED'
        : 'PARENT_FAILED';
    return {
      status: rule === 'cancel' ? 'cancelled' : 'failed',
      waitingParents: 0,
      errorCode,
      message: 'A job it depends on did not complete',
    };
  }
  const waitingParents = parents.filter(
    (parent) => parent.status !== 'completed' && !(rule === 'run' && UNSUCCESSFUL.includes(parent.status)),
  ).length;
  return waitingParents > 0
    ? { status: 'waiting', waitingParents, errorCode: null, message: 'Waiting for the jobs it depends on' }
    : { status: 'pending', waitingParents: 0, errorCode: null, message: '' };
}

/** A job's parents with their statuses and results, for its handler (`JobContext.parentResults`). */
export async function readParentResults(
  store: Pick<JobStore, 'dependencies' | 'get'>,
  jobId: string,
): Promise<ParentResult[]> {
  const family = await store.dependencies(jobId, ALL_JOBS);
  if (!family) return [];
  const parents = await Promise.all(family.parentIds.map((id) => store.get(id, ALL_JOBS)));
  return parents.flatMap((parent) =>
    parent ? [{ jobId: parent.id, kind: parent.kind, status: parent.status, result: parent.result }] : [],
  );
}
