/**
 * The schedule routes: admin only, validated (a bad cron, time zone, kind or payload is a 400 with a
 * stable code and writes nothing), and a schedule added through the API is fired by the service's
 * own scheduler and run by its worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';
import { waitFor } from '../support/wait.js';

interface WireSchedule {
  name: string;
  cron: string;
  time_zone: string;
  kind: string;
  payload: Record<string, unknown>;
  priority: string;
  enabled: boolean;
  catch_up: string;
  catch_up_limit: number;
  next_run_at: string | null;
  last_run_at: string | null;
}

describe('HTTP API: schedules', () => {
  let api: ApiHarness;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 1 });
    user = await api.createUser();
  });
  afterAll(() => api.close());

  const call = (method: string, path: string, body?: unknown) => api.call(api.admin, method, path, body);
  const errorCode = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;

  it('adds, reads, lists, changes and removes a schedule', async () => {
    const created = await call('POST', '/api/schedules', {
      name: 'nightly-report',
      cron: '0 30 2 * * *',
      time_zone: 'Europe/Paris',
      kind: 'noop',
      payload: { report: 'daily' },
    });
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as WireSchedule;
    expect(schedule).toMatchObject({
      name: 'nightly-report',
      cron: '0 30 2 * * *',
      time_zone: 'Europe/Paris',
      kind: 'noop',
      payload: { report: 'daily' },
      priority: 'normal',
      enabled: true,
      catch_up: 'skip',
      catch_up_limit: 10,
      last_run_at: null,
    });
    // 02:30 in Paris is 00:30 or 01:30 UTC, depending on the season.
    expect(schedule.next_run_at).toMatch(/T0[01]:30:00\.000Z$/);

    expect(await (await call('GET', '/api/schedules/nightly-report')).json()).toEqual(schedule);
    const list = (await (await call('GET', '/api/schedules')).json()) as {
      schedules: WireSchedule[];
      count: number;
    };
    expect(list.schedules.map((s) => s.name)).toContain('nightly-report');

    const again = await call('POST', '/api/schedules', {
      name: 'nightly-report',
      cron: '* * * * *',
      kind: 'noop',
    });
    expect(again.status).toBe(409);
    expect(await errorCode(again)).toBe('SCHEDULE_EXISTS');

    const patched = await call('PATCH', '/api/schedules/nightly-report', { enabled: false, priority: 'low' });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ enabled: false, priority: 'low', next_run_at: null });

    const removed = await call('DELETE', '/api/schedules/nightly-report');
    expect(await removed.json()).toEqual({ name: 'nightly-report', deleted: true });
    for (const [method, body] of [['GET'], ['PATCH', { enabled: true }], ['DELETE']] as const) {
      const missing = await call(method, '/api/schedules/nightly-report', body);
      expect(missing.status).toBe(404);
      expect(await errorCode(missing)).toBe('SCHEDULE_NOT_FOUND');
    }
  });

  it('refuses a bad cron, time zone, kind, payload or field with a 400 and a stable code, writing nothing', async () => {
    const valid = { name: 'refused', cron: '*/5 * * * *', kind: 'noop' };
    const cases: [Record<string, unknown>, string][] = [
      [{ cron: '61 * * * *' }, 'INVALID_CRON'],
      [{ cron: 'every monday' }, 'INVALID_CRON'],
      [{ cron: '* * * * * * *' }, 'INVALID_CRON'],
      [{ cron: '0 0 30 2 *' }, 'INVALID_CRON'],
      [{ time_zone: 'Mars/Olympus_Mons' }, 'INVALID_TIME_ZONE'],
      [{ kind: 'no-such-kind' }, 'UNKNOWN_KIND'],
      [{ kind: 'sleep', payload: { ms: -1 } }, 'INVALID_PAYLOAD'],
      [{ kind: 'webhook' }, 'INVALID_PAYLOAD'],
      [{ catch_up: 'sometimes' }, 'VALIDATION_FAILED'],
      [{ catch_up_limit: 0 }, 'VALIDATION_FAILED'],
      [{ name: 'has spaces' }, 'VALIDATION_FAILED'],
      [{ owner: 'me' }, 'VALIDATION_FAILED'],
    ];
    for (const [change, code] of cases) {
      const response = await call('POST', '/api/schedules', { ...valid, ...change });
      expect(response.status, JSON.stringify(change)).toBe(400);
      expect(await errorCode(response), JSON.stringify(change)).toBe(code);
    }
    expect(await api.app.database.schedules.get('refused')).toBeNull();

    await call('POST', '/api/schedules', valid);
    for (const [change, code] of [
      [{ cron: 'nope' }, 'INVALID_CRON'],
      [{ time_zone: 'Nowhere' }, 'INVALID_TIME_ZONE'],
      [{ kind: 'no-such-kind' }, 'UNKNOWN_KIND'],
      [{}, 'VALIDATION_FAILED'],
    ] as const) {
      const response = await call('PATCH', '/api/schedules/refused', change);
      expect(response.status, JSON.stringify(change)).toBe(400);
      expect(await errorCode(response), JSON.stringify(change)).toBe(code);
    }
    expect(await api.app.database.schedules.get('refused')).toMatchObject({
      cron: '*/5 * * * *',
      kind: 'noop',
    });
    await call('DELETE', '/api/schedules/refused');
  });

  it('is for admins only: a user key gets 403 on every schedule route', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/schedules'],
      ['POST', '/api/schedules', { name: 'mine', cron: '* * * * *', kind: 'noop' }],
      ['GET', '/api/schedules/mine'],
      ['PATCH', '/api/schedules/mine', { enabled: false }],
      ['DELETE', '/api/schedules/mine'],
    ] as const) {
      const response = await api.call(user, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    expect(await api.app.database.schedules.get('mine')).toBeNull();
  });

  it("queues the schedule's ticks from the service's own scheduler, and its worker runs them", async () => {
    const created = await call('POST', '/api/schedules', {
      name: 'heartbeat',
      cron: '* * * * * *',
      kind: 'noop',
    });
    expect(created.status).toBe(201);
    const done = await waitFor(
      async () => {
        const page = await api.app.jobs.list(
          { limit: 100, includeFinished: true, kinds: ['noop'] },
          ALL_JOBS,
        );
        return page.jobs.find((job) => job.payload.schedule === 'heartbeat' && job.status === 'completed');
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'a completed job of the schedule' },
    );
    expect(done.payload.scheduled_for).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(done.idempotencyKey).toBe(`schedule:heartbeat@${done.payload.scheduled_for as string}`);
    await call('DELETE', '/api/schedules/heartbeat');
  });
});
