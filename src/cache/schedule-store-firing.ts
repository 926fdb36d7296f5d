/**
 * A ScheduleStore that is `store` in everything but its firings, which `fire` does (it calls the
 * store's own): the decorators that must act after a tick queued jobs outside the job store.
 */
import type { ScheduleStore } from '../schedules/store.js';

export function withFiring(store: ScheduleStore, fire: ScheduleStore['fire']): ScheduleStore {
  return {
    create: (definition) => store.create(definition),
    get: (name) => store.get(name),
    list: () => store.list(),
    update: (definition, timingChanged) => store.update(definition, timingChanged),
    remove: (name) => store.remove(name),
    due: (now, limit) => store.due(now, limit),
    nextDueAt: () => store.nextDueAt(),
    fire,
  };
}
