/**
 * Recurring jobs' schedules, on both databases: stored and changed as asked, each tick queued by
 * exactly one firing, and missed ticks caught up by each policy (a fake clock drives the scheduler).
 */
import { describe, expect, it } from 'vitest';
import { noopKind, sleepKind } from '../../src/jobs/builtin-kinds.js';
import { KindRegistry } from '../../src/jobs/kinds.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import type { CatchUpPolicy, NewSchedule } from '../../src/schedules/model.js';
import { jobForTick, Scheduler } from '../../src/schedules/scheduler.js';
import { Schedules } from '../../src/schedules/service.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { expectRejectsWith, useConformanceDatabase } from '../support/conformance.js';
import type { TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const KINDS = new KindRegistry([noopKind, sleepKind]);
const DEFAULTS = { jobTimeoutSeconds: 60, maxRetries: 0 };
const at = (iso: string) => new Date(iso);

/** A clock the test moves by hand. */
class FakeClock {
  constructor(public now: Date) {}
  readonly read = () => this.now;
  set(iso: string): Date {
    this.now = at(iso);
    return this.now;
  }
}

function setUp(t: TestDatabase, start: string) {
  const clock = new FakeClock(at(start));
  const schedules = new Schedules(t.db.schedules, KINDS, { clock: clock.read });
  const scheduler = new Scheduler({
    store: t.db.schedules,
    logger: new RecordingLogger().logger,
    node: 'test',
    jobDefaults: DEFAULTS,
    clock: clock.read,
  });
  return { clock, schedules, scheduler };
}

/** The `scheduled_for` of every job queued for `name`, oldest first. */
async function queuedTicks(t: TestDatabase, name: string): Promise<string[]> {
  const page = await t.db.jobs.list({ limit: 1000, includeFinished: true }, ALL_JOBS);
  return page.jobs
    .filter((job) => job.payload.schedule === name)
    .map((job) => job.payload.scheduled_for as string)
    .sort();
}

const EVERY_MINUTE: NewSchedule = { name: 'minutely', cron: '* * * * *', kind: 'noop', payload: { n: 1 } };

describe('schedules', () => {
  const ctx = useConformanceDatabase();

  it('stores a schedule with its defaults and first tick, lists, changes and removes it', async () => {
    const { t } = ctx();
    const { schedules } = setUp(t, '2026-01-01T00:00:30Z');
    const created = await schedules.create({ ...EVERY_MINUTE, timeZone: 'Europe/Paris', priority: 'high' });
    expect(created).toMatchObject({
      name: 'minutely',
      cron: '* * * * *',
      timeZone: 'Europe/Paris',
      kind: 'noop',
      payload: { n: 1 },
      priority: 'high',
      enabled: true,
      catchUp: 'skip',
      catchUpLimit: 10,
      nextRunAt: at('2026-01-01T00:01:00Z'),
      lastRunAt: null,
    });
    expect(await t.db.schedules.get('minutely')).toEqual(created);
    await schedules.create({ name: 'daily', cron: '0 0 3 * * *', kind: 'noop' });
    expect((await schedules.list()).map((s) => s.name)).toEqual(['daily', 'minutely']);

    const changed = await schedules.update('minutely', {
      payload: { n: 2 },
      catchUp: 'all',
      catchUpLimit: 5,
    });
    expect(changed).toMatchObject({ payload: { n: 2 }, catchUp: 'all', catchUpLimit: 5, priority: 'high' });
    expect(changed.nextRunAt).toEqual(created.nextRunAt);

    const disabled = await schedules.update('minutely', { enabled: false });
    expect(disabled).toMatchObject({ enabled: false, nextRunAt: null });
    await schedules.remove('minutely');
    expect(await t.db.schedules.get('minutely')).toBeNull();
    expect((await schedules.list()).map((s) => s.name)).toEqual(['daily']);
  });

  it('refuses a taken name, and a change or removal of a schedule that is not there', async () => {
    const { t } = ctx();
    const { schedules } = setUp(t, '2026-01-01T00:00:30Z');
    await schedules.create(EVERY_MINUTE);
    await expectRejectsWith(schedules.create({ ...EVERY_MINUTE, cron: '0 * * * *' }), 'SCHEDULE_EXISTS');
    expect((await t.db.schedules.get('minutely'))?.cron).toBe('* * * * *');
    await expectRejectsWith(schedules.update('nope', { enabled: false }), 'SCHEDULE_NOT_FOUND');
    await expectRejectsWith(schedules.remove('nope'), 'SCHEDULE_NOT_FOUND');
  });

  it('refuses a bad cron, time zone, kind or payload before writing anything', async () => {
    const { t } = ctx();
    const { schedules } = setUp(t, '2026-01-01T00:00:30Z');
    await expectRejectsWith(schedules.create({ ...EVERY_MINUTE, cron: '61 * * * *' }), 'INVALID_CRON');
    await expectRejectsWith(schedules.create({ ...EVERY_MINUTE, cron: 'every day' }), 'INVALID_CRON');
    await expectRejectsWith(schedules.create({ ...EVERY_MINUTE, cron: '0 0 31 2 *' }), 'INVALID_CRON');
    await expectRejectsWith(
      schedules.create({ ...EVERY_MINUTE, timeZone: 'Mars/Olympus' }),
      'INVALID_TIME_ZONE',
    );
    await expectRejectsWith(schedules.create({ ...EVERY_MINUTE, kind: 'nope' }), 'UNKNOWN_KIND');
    await expectRejectsWith(
      schedules.create({ ...EVERY_MINUTE, kind: 'sleep', payload: {} }),
      'INVALID_PAYLOAD',
    );
    await expectRejectsWith(schedules.create({ ...EVERY_MINUTE, name: 'has space' }), 'VALIDATION_FAILED');
    await schedules.create(EVERY_MINUTE);
    await expectRejectsWith(schedules.update('minutely', { cron: '* * *' }), 'INVALID_CRON');
    expect(await schedules.list()).toHaveLength(1);
    expect((await schedules.get('minutely')).cron).toBe('* * * * *');
  });

  it('reads as due only the enabled schedules whose tick has come, soonest first', async () => {
    const { t } = ctx();
    const { schedules } = setUp(t, '2026-01-01T00:00:30Z');
    await schedules.create({ name: 'b-minutely', cron: '* * * * *', kind: 'noop' });
    await schedules.create({ name: 'a-hourly', cron: '0 * * * *', kind: 'noop' });
    await schedules.create({ name: 'off', cron: '* * * * *', kind: 'noop', enabled: false });
    expect(await t.db.schedules.due(at('2026-01-01T00:00:59Z'), 10)).toEqual([]);
    expect((await t.db.schedules.due(at('2026-01-01T00:01:00Z'), 10)).map((s) => s.name)).toEqual([
      'b-minutely',
    ]);
    expect((await t.db.schedules.due(at('2026-01-01T02:00:00Z'), 10)).map((s) => s.name)).toEqual([
      'b-minutely',
      'a-hourly',
    ]);
    expect(await t.db.schedules.nextDueAt()).toEqual(at('2026-01-01T00:01:00Z'));
  });

  it('lets only one firing past the guard per tick: a stale or repeated firing queues nothing', async () => {
    const { t } = ctx();
    const { schedules } = setUp(t, '2026-01-01T00:00:30Z');
    const schedule = await schedules.create(EVERY_MINUTE);
    const tick = at('2026-01-01T00:01:00Z');
    const firing = (nextRunAt: string) => ({
      name: 'minutely',
      expectedNextRunAt: tick,
      nextRunAt: at(nextRunAt),
      lastRunAt: tick,
      jobs: [jobForTick(schedule, tick, DEFAULTS)],
    });
    // Two handles on the database fire the same tick at once, as two nodes would.
    const other = await t.reopen();
    try {
      const outcomes = await Promise.all([
        t.db.schedules.fire(firing('2026-01-01T00:02:00Z')),
        other.schedules.fire(firing('2026-01-01T00:02:00Z')),
      ]);
      expect(outcomes.filter((ids) => ids !== null)).toHaveLength(1);
      expect(outcomes.find((ids) => ids !== null)).toHaveLength(1);
    } finally {
      await other.close();
    }
    expect(await t.db.schedules.fire(firing('2026-01-01T00:03:00Z'))).toBeNull();
    expect(await queuedTicks(t, 'minutely')).toEqual(['2026-01-01T00:01:00.000Z']);
    expect(await t.db.schedules.get('minutely')).toMatchObject({
      nextRunAt: at('2026-01-01T00:02:00Z'),
      lastRunAt: tick,
    });
    // A disabled schedule is never fired, whatever tick a scheduler read before.
    await schedules.update('minutely', { enabled: false });
    expect(
      await t.db.schedules.fire({
        ...firing('2026-01-01T00:03:00Z'),
        expectedNextRunAt: at('2026-01-01T00:02:00Z'),
      }),
    ).toBeNull();
  });

  it('queues each tick as a job carrying the tick, keyed by (schedule, tick), and sleeps until the next', async () => {
    const { t } = ctx();
    const { clock, schedules, scheduler } = setUp(t, '2026-01-01T00:00:30Z');
    await schedules.create({ ...EVERY_MINUTE, priority: 'urgent' });
    expect((await scheduler.runDue(clock.set('2026-01-01T00:00:59.999Z'))).fired).toEqual([]);
    const { fired } = await scheduler.runDue(clock.set('2026-01-01T00:01:00.200Z'));
    expect(fired.map((f) => f.tick)).toEqual([at('2026-01-01T00:01:00Z')]);
    const job = await t.db.jobs.get(fired[0]?.jobId ?? '', ALL_JOBS);
    expect(job).toMatchObject({
      kind: 'noop',
      priority: 'urgent',
      status: 'pending',
      userId: null,
      idempotencyKey: 'schedule:minutely@2026-01-01T00:01:00.000Z',
      payload: { n: 1, scheduled_for: '2026-01-01T00:01:00.000Z', schedule: 'minutely' },
    });
    // The same pass again (another node that read the schedule late) queues nothing more.
    expect((await scheduler.runDue(clock.now)).fired).toEqual([]);
    expect(await t.db.schedules.nextDueAt()).toEqual(at('2026-01-01T00:02:00Z'));
    expect(await queuedTicks(t, 'minutely')).toEqual(['2026-01-01T00:01:00.000Z']);
  });

  const downtime: [CatchUpPolicy, number, string, string[]][] = [
    // Down from 00:01 to 00:10:30: ticks 00:02 … 00:10 were missed (all older than the grace).
    ['skip', 10, '2026-01-01T00:10:30Z', []],
    ['last', 10, '2026-01-01T00:10:30Z', ['00:10']],
    ['all', 3, '2026-01-01T00:10:30Z', ['00:08', '00:09', '00:10']],
    [
      'all',
      100,
      '2026-01-01T00:10:30Z',
      ['00:02', '00:03', '00:04', '00:05', '00:06', '00:07', '00:08', '00:09', '00:10'],
    ],
    // Back at 00:10:05: tick 00:10 is on time and runs whatever the policy; `last` needs no other.
    ['skip', 10, '2026-01-01T00:10:05Z', ['00:10']],
    ['last', 10, '2026-01-01T00:10:05Z', ['00:10']],
    ['all', 2, '2026-01-01T00:10:05Z', ['00:08', '00:09', '00:10']],
  ];
  for (const [policy, limit, back, expected] of downtime) {
    it(`catches up after downtime by policy ${policy} (limit ${limit}), back at ${back.slice(11, 19)}`, async () => {
      const { t } = ctx();
      const { clock, schedules, scheduler } = setUp(t, '2026-01-01T00:00:30Z');
      await schedules.create({ ...EVERY_MINUTE, catchUp: policy, catchUpLimit: limit });
      await scheduler.runDue(clock.set('2026-01-01T00:01:00.100Z'));
      const { fired } = await scheduler.runDue(clock.set(back));
      const ticks = expected.map((hm) => `2026-01-01T${hm}:00.000Z`);
      expect(fired.map((f) => f.tick.toISOString())).toEqual(ticks);
      expect(await queuedTicks(t, 'minutely')).toEqual(['2026-01-01T00:01:00.000Z', ...ticks]);
      expect(await t.db.schedules.get('minutely')).toMatchObject({
        nextRunAt: at('2026-01-01T00:11:00Z'),
        lastRunAt: at(ticks.at(-1) ?? '2026-01-01T00:01:00Z'),
      });
    });
  }

  it('starts a schedule enabled again from now: the ticks of the time it was off are not caught up', async () => {
    const { t } = ctx();
    const { clock, schedules, scheduler } = setUp(t, '2026-01-01T00:00:30Z');
    await schedules.create({ ...EVERY_MINUTE, catchUp: 'all', catchUpLimit: 100 });
    await schedules.update('minutely', { enabled: false });
    clock.set('2026-01-01T00:30:30Z');
    expect((await scheduler.runDue()).fired).toEqual([]);
    const enabled = await schedules.update('minutely', { enabled: true });
    expect(enabled.nextRunAt).toEqual(at('2026-01-01T00:31:00Z'));
    expect((await scheduler.runDue()).fired).toEqual([]);
    expect((await scheduler.runDue(clock.set('2026-01-01T00:31:00.050Z'))).fired).toHaveLength(1);
  });

  it('started, wakes by itself at the next tick and queues it; stopped, it ends its loop', async () => {
    const { t } = ctx();
    const schedules = new Schedules(t.db.schedules, KINDS);
    const scheduler = new Scheduler({
      store: t.db.schedules,
      logger: new RecordingLogger().logger,
      node: 'real-clock',
      jobDefaults: DEFAULTS,
    });
    // Created before the scheduler starts: its first look finds the tick a second away and sleeps.
    const schedule = await schedules.create({ name: 'soon', cron: '* * * * * *', kind: 'noop' });
    scheduler.start();
    try {
      const ticks = await waitFor(
        async () => {
          const queued = await queuedTicks(t, 'soon');
          return queued.length >= 2 ? queued : null;
        },
        { timeoutMs: 20_000, what: 'two ticks queued by the running scheduler' },
      );
      expect(ticks[0]).toBe(schedule.nextRunAt?.toISOString());
      expect(Date.parse(ticks[1] ?? '') - Date.parse(ticks[0] ?? '')).toBe(1000);
    } finally {
      await scheduler.stop();
    }
    expect(scheduler.isRunning).toBe(false);
  });

  it('reads the cron expression in the schedule’s time zone, seconds field included', async () => {
    const { t } = ctx();
    const { clock, schedules, scheduler } = setUp(t, '2026-07-01T00:00:00Z');
    const paris = await schedules.create({
      name: 'paris-9am',
      cron: '30 0 9 * * *',
      timeZone: 'Europe/Paris',
      kind: 'noop',
    });
    // 09:00:30 in Paris in summer is 07:00:30 UTC.
    expect(paris.nextRunAt).toEqual(at('2026-07-01T07:00:30Z'));
    const { fired } = await scheduler.runDue(clock.set('2026-07-01T07:00:31Z'));
    expect(fired.map((f) => f.tick)).toEqual([at('2026-07-01T07:00:30Z')]);
    expect(await t.db.schedules.nextDueAt()).toEqual(at('2026-07-02T07:00:30Z'));
  });
});
