/**
 * A ScheduleStore whose firings renew the Redis status cache's queue generation: a tick queues jobs
 * outside the job store, and a new pending job moves the queue positions that cached pending jobs
 * carry. Like the caching job store's writes, a firing that fails invalidates too (the commit may
 * have happened before the error). Everything else is the store's.
 */
import type { ScheduleFiring, ScheduleStore } from '../schedules/store.js';
import { withFiring } from './schedule-store-firing.js';
import type { RedisStatusCache } from './redis-status-cache.js';

export function cacheInvalidatingScheduleStore(store: ScheduleStore, cache: RedisStatusCache): ScheduleStore {
  return withFiring(store, async (firing: ScheduleFiring) => {
    let queued: string[] | null;
    try {
      queued = await store.fire(firing);
    } catch (error) {
      await cache.invalidate([], true);
      throw error;
    }
    if (queued && queued.length > 0) await cache.invalidate(queued, true);
    return queued;
  });
}
