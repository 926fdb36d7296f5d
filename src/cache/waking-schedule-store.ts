/**
 * A ScheduleStore whose firings send their wake-up over Redis (WAKE_UPS=redis, redis-wake-ups.ts):
 * a tick queues its jobs outside the job store, so the Redis-waking job store never sees them, and
 * without this the workers found them only at their poll (issue 29). The store's own wake-up (NOTIFY
 * in the firing's transaction, the SQLite wake file) still goes out. Everything else is the store's.
 */
import type { ScheduleFiring, ScheduleStore } from '../schedules/store.js';
import { withFiring } from './schedule-store-firing.js';
import type { RedisWakeUps } from './redis-wake-ups.js';

export function wakingScheduleStore(store: ScheduleStore, wakeUps: RedisWakeUps): ScheduleStore {
  return withFiring(store, async (firing: ScheduleFiring) => {
    const queued = await store.fire(firing);
    // A schedule's ticks are all of its kind.
    if (queued) wakeUps.announceAvailable({ count: queued.length, kind: firing.jobs[0]?.kind ?? null });
    return queued;
  });
}
