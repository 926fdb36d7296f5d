/** `reelqueue schedules …`, run from the build against a real database. */
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { assertBuilt, CLI } from '../support/worker-process.js';

interface WireSchedule {
  name: string;
  enabled: boolean;
  next_run_at: string | null;
  [field: string]: unknown;
}

describe('reelqueue schedules', () => {
  let t: TestDatabase;

  beforeEach(async () => {
    assertBuilt();
    t = await createTestDatabase();
  });
  afterEach(() => t.cleanup());

  const run = (...args: string[]) => {
    const result = spawnSync(process.execPath, [CLI, 'schedules', ...args], {
      env: { ...process.env, ...t.env, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const json = <T>(...args: string[]): T => {
    const result = run(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  it('adds, lists, disables, enables and removes a schedule', () => {
    const added = json<WireSchedule>(
      'add',
      'reports',
      '--cron',
      '0 */15 * * * *',
      '--kind',
      'noop',
      '--time-zone',
      'America/New_York',
      '--payload',
      '{"report":"usage"}',
      '--catch-up',
      'all',
      '--catch-up-limit',
      '4',
    );
    expect(added).toMatchObject({
      name: 'reports',
      cron: '0 */15 * * * *',
      time_zone: 'America/New_York',
      kind: 'noop',
      payload: { report: 'usage' },
      enabled: true,
      catch_up: 'all',
      catch_up_limit: 4,
    });
    expect(added.next_run_at).toMatch(/:(00|15|30|45):00\.000Z$/);

    const table = run('list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+CRON\s+TIME ZONE/);
    expect(table.stdout).toMatch(
      /reports\s+0 \*\/15 \* \* \* \*\s+America\/New_York\s+noop\s+yes\s+all \(4\)/,
    );

    expect(json<WireSchedule>('disable', 'reports')).toMatchObject({ enabled: false, next_run_at: null });
    const enabled = json<WireSchedule>('enable', 'reports');
    expect(enabled.enabled).toBe(true);
    expect(enabled.next_run_at).not.toBeNull();
    expect(json<{ count: number }>('list').count).toBe(1);

    expect(json('remove', 'reports')).toEqual({ name: 'reports', deleted: true });
    expect(json<{ count: number }>('list').count).toBe(0);
  });

  it('refuses a bad cron, time zone or kind and an unknown name with a stable code, writing nothing', () => {
    for (const [args, code] of [
      [['--cron', '* * *', '--kind', 'noop'], 'INVALID_CRON'],
      [['--cron', '* * * * *', '--kind', 'noop', '--time-zone', 'Atlantis/Capital'], 'INVALID_TIME_ZONE'],
      [['--cron', '* * * * *', '--kind', 'nope'], 'UNKNOWN_KIND'],
    ] as const) {
      const result = run('add', 'bad', ...args, '--json');
      expect(result.code).toBe(1);
      expect((JSON.parse(result.stderr) as { error: { code: string } }).error.code).toBe(code);
    }
    const missing = run('disable', 'nobody');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('SCHEDULE_NOT_FOUND');
    expect(run('list').stdout.trim()).toBe('no schedules');
  });
});
