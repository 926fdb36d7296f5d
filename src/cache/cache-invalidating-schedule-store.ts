/**
 * A ScheduleStore whose firings renew the Redis status cache's queue generation: a tick queues jobs
 * outside the job store, and a new pending job moves the queue positions that cached pending jobs
 * carry. Like the caching job store's writes, a firing that fails invalidates too (the commit may
 * have happened before the error). Everything else is the store's.
 */
import type { ScheduleFiring, ScheduleStore } from '../schedules/store.js';
import type { RedisStatusCache } from './redis-status-cache.js';

export function cacheInvalidatingScheduleStore(store: ScheduleStore, cache: RedisStatusCache): ScheduleStore {
  return {
    create: (definition) => store.create(definition),
    get: (name) => store.get(name),
    list: () => store.list(),
    update: (definition, timingChanged) => store.update(definition, timingChanged),
    remove: (name) => store.remove(name),
    due: (now, limit) => store.due(now, limit),
    nextDueAt: () => store.nextDueAt(),
    fire: async (firing: ScheduleFiring) => {
      let queued: string[] | null;
      try {
        queued = await store.fire(firing);
      } catch (error) {
        await cache.invalidate([], true);
        throw error;
      }
      if (queued && queued.length > 0) await cache.invalidate(queued, true);
      return queued;
    },
  };
}
