/**
 * Turns what a caller asks for into a schedule definition: defaults filled, every field checked
 * (cron, time zone, kind and its payload), the next tick computed from `now`. Nothing is written
 * when this throws.
 */
import { ReelqueueError } from '../errors.js';
import type { KindRegistry } from '../jobs/kinds.js';
import { JOB_PRIORITIES, type JobPriority } from '../jobs/model.js';
import { checkCron, tickAfter } from './cron.js';
import {
  CATCH_UP_POLICIES,
  DEFAULT_CATCH_UP_LIMIT,
  MAX_CATCH_UP_LIMIT,
  SCHEDULE_NAME_PATTERN,
  type CatchUpPolicy,
  type NewSchedule,
  type Schedule,
  type ScheduleChanges,
  type ScheduleDefinition,
} from './model.js';

const NAME = new RegExp(SCHEDULE_NAME_PATTERN);

function invalid(field: string, message: string, value: unknown): ReelqueueError {
  return new ReelqueueError('VALIDATION_FAILED', message, { field, value: value ?? null });
}

export function checkScheduleName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(
      'name',
      'A schedule name is 1 to 100 letters, digits, _ . : or -, starting with a letter or digit',
      name,
    );
  }
}

export function resolveNewSchedule(input: NewSchedule, kinds: KindRegistry, now: Date): ScheduleDefinition {
  checkScheduleName(input.name);
  const timeZone = input.timeZone ?? 'UTC';
  checkCron(input.cron, timeZone);
  const kind = kinds.get(input.kind);
  const payload = kind.parsePayload(input.payload ?? {});
  const priority = input.priority ?? 'normal';
  if (!(JOB_PRIORITIES as readonly string[]).includes(priority)) {
    throw new ReelqueueError(
      'INVALID_PRIORITY',
      `Unknown priority ${JSON.stringify(priority)}; use one of ${JOB_PRIORITIES.join(', ')}`,
      { priority, allowed: [...JOB_PRIORITIES] },
    );
  }
  const catchUp = input.catchUp ?? 'skip';
  if (!(CATCH_UP_POLICIES as readonly string[]).includes(catchUp)) {
    throw invalid('catch_up', `catch_up must be one of ${CATCH_UP_POLICIES.join(', ')}`, catchUp);
  }
  const catchUpLimit = input.catchUpLimit ?? DEFAULT_CATCH_UP_LIMIT;
  if (!Number.isInteger(catchUpLimit) || catchUpLimit < 1 || catchUpLimit > MAX_CATCH_UP_LIMIT) {
    throw invalid(
      'catch_up_limit',
      `catch_up_limit must be a whole number from 1 to ${MAX_CATCH_UP_LIMIT}`,
      catchUpLimit,
    );
  }
  const enabled = input.enabled ?? true;
  return {
    name: input.name,
    cron: input.cron,
    timeZone,
    kind: kind.name,
    payload,
    priority: priority as JobPriority,
    enabled,
    catchUp: catchUp as CatchUpPolicy,
    catchUpLimit,
    nextRunAt: enabled ? tickAfter(input.cron, timeZone, now) : null,
  };
}

/**
 * `current` with `changes` applied, checked as a new schedule would be. The next tick is computed
 * again from `now` when the cron expression, the time zone or `enabled` changed (a schedule enabled
 * again starts from now: the ticks of the time it was disabled are not caught up); otherwise it is
 * kept, so a change never moves a tick another node is about to queue.
 */
export function resolveScheduleChanges(
  current: Schedule,
  changes: ScheduleChanges,
  kinds: KindRegistry,
  now: Date,
): { definition: ScheduleDefinition; timingChanged: boolean } {
  const merged: NewSchedule = {
    name: current.name,
    cron: changes.cron ?? current.cron,
    timeZone: changes.timeZone ?? current.timeZone,
    kind: changes.kind ?? current.kind,
    payload: changes.payload ?? current.payload,
    priority: changes.priority ?? current.priority,
    enabled: changes.enabled ?? current.enabled,
    catchUp: changes.catchUp ?? current.catchUp,
    catchUpLimit: changes.catchUpLimit ?? current.catchUpLimit,
  };
  const definition = resolveNewSchedule(merged, kinds, now);
  const timingChanged =
    merged.cron !== current.cron ||
    merged.timeZone !== current.timeZone ||
    merged.enabled !== current.enabled;
  return {
    definition: timingChanged ? definition : { ...definition, nextRunAt: current.nextRunAt },
    timingChanged,
  };
}
