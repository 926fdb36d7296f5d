/** The `reelqueue` command, run from the build against a real database. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRows } from '../support/db-fixtures.js';
import { freePort } from '../support/free-port.js';
import { createTestDatabase, DIALECT, POSTGRES_URL, type TestDatabase } from '../support/test-database.js';
import { assertBuilt, CLI } from '../support/worker-process.js';

describe('reelqueue CLI', () => {
  let t: TestDatabase;

  beforeEach(async () => {
    assertBuilt();
    t = await createTestDatabase();
  });
  afterEach(() => t.cleanup());

  const run = (...args: string[]) => {
    const result = spawnSync(process.execPath, [CLI, ...args], {
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

  it('says the schema is up to date when migrations already ran', () => {
    const result = run('migrate');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('schema is up to date');
  });

  it("migrate takes seed 003's --db-path and --verbose, and creates that SQLite file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rq-db-path-'));
    try {
      const file = path.join(dir, 'pocket_musec.db');
      const result = run('migrate', '--db-path', file, '--verbose');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`database: sqlite file ${file}`);
      expect(result.stdout).toMatch(/sqlite: applied \d+ migration/);
      expect(existsSync(file)).toBe(true);
      const both = run('migrate', '--db-path', file, '--database-url', 'sqlite:./other.db');
      expect(both.code).toBe(1);
      expect(both.stderr).toContain('CONFIG_INVALID: Give --db-path or --database-url, not both');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds a job that waits for others (--depends-on) and shows its parents and children', () => {
    const parent = json<{ id: string }>('jobs', 'add', '--kind', 'noop');
    const child = json<{ id: string; status: string }>(
      'jobs',
      'add',
      '--kind',
      'noop',
      '--depends-on',
      `${parent.id},`,
      '--on-parent-failure',
      'cancel',
    );
    expect(child.status).toBe('waiting');
    expect(json('jobs', 'show', child.id)).toMatchObject({
      status: 'waiting',
      dependsOn: [parent.id],
      children: [],
      onParentFailure: 'cancel',
    });
    expect(json('jobs', 'show', parent.id)).toMatchObject({ dependsOn: [], children: [child.id] });
    const text = run('jobs', 'show', parent.id);
    expect(text.stdout).toContain(`children: ${child.id}`);
    const unknown = run(
      'jobs',
      'add',
      '--kind',
      'noop',
      '--depends-on',
      '0190a7a5-0000-7000-8000-000000000000',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('PARENT_NOT_FOUND');
  });

  it('adds, lists, shows, cancels and retries jobs', () => {
    expect(json<{ added: number }>('jobs', 'add', '--kind', 'noop', '--count', '5')).toEqual({ added: 5 });
    const urgent = json<{ id: string; priority: string; created: boolean }>(
      'jobs',
      'add',
      '--kind',
      'sleep',
      '--payload',
      '{"ms":10}',
      '--priority',
      'urgent',
      '--idempotency-key',
      'once',
    );
    expect(urgent).toMatchObject({ priority: 'urgent', created: true });
    const again = json<{ id: string; created: boolean }>(
      'jobs',
      'add',
      '--kind',
      'sleep',
      '--payload',
      '{"ms":10}',
      '--idempotency-key',
      'once',
    );
    expect(again).toMatchObject({ id: urgent.id, created: false });

    const page = json<{ jobs: { id: string }[] }>('jobs', 'list', '--status', 'pending');
    expect(page.jobs).toHaveLength(6);
    // Seed 000–002 scripts filter by their names: queued is pending, processing is running.
    expect(json<{ jobs: { id: string }[] }>('jobs', 'list', '--status', 'queued').jobs).toEqual(page.jobs);
    expect(json<{ jobs: unknown[] }>('jobs', 'list', '--status', 'processing').jobs).toEqual([]);
    const shown = json<{ id: string; queuePosition: number }>('jobs', 'show', urgent.id);
    expect(shown).toMatchObject({ id: urgent.id, queuePosition: 0 });

    const cancelled = json<{ cancelled: string[] }>('jobs', 'cancel', urgent.id, '--reason', 'not needed');
    expect(cancelled.cancelled).toEqual([urgent.id]);
    const retried = json<{ status: string }>('jobs', 'retry', urgent.id);
    expect(retried.status).toBe('pending');

    const stats = json<{ health: { pending: number; total: number } }>('stats');
    expect(stats.health).toMatchObject({ pending: 6, total: 6 });
    expect(json<{ deleted: number }>('cleanup', '--max-age-hours', '1')).toMatchObject({ deleted: 0 });
    expect(json('cleanup', '--days', '7', '--status', 'failed,timeout')).toEqual({
      deleted: 0,
      maxAgeHours: 168,
      ageFrom: 'created_at',
      statuses: ['failed', 'timeout'],
    });
    const refused = run('cleanup', '--status', 'running');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('INVALID_STATUS');
    expect(json<{ requeued: string[] }>('recover', '--timeout-minutes', '30')).toMatchObject({
      requeued: [],
    });
  });

  it('lists jobs under a header row, each column starting where its header does', () => {
    run('jobs', 'add', '--kind', 'noop', '--count', '2');
    run('jobs', 'add', '--kind', 'sleep', '--payload', '{"ms":10}', '--priority', 'urgent');
    const jobs = json<{ jobs: { id: string; kind: string; status: string; priority: string }[] }>(
      'jobs',
      'list',
    ).jobs;
    const result = run('jobs', 'list');
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +KIND +STATUS +PRIORITY +PROGRESS +MESSAGE$/);
    expect(rows).toHaveLength(jobs.length);
    const start = (name: string) => header?.indexOf(name) ?? -1;
    rows.forEach((row, i) => {
      const job = jobs[i];
      expect(row.startsWith(`${job?.id} `)).toBe(true);
      expect(row.slice(start('KIND')).startsWith(`${job?.kind} `)).toBe(true);
      expect(row.slice(start('STATUS')).startsWith(`${job?.status} `)).toBe(true);
      expect(row.slice(start('PRIORITY')).startsWith(`${job?.priority} `)).toBe(true);
      expect(row.slice(start('PROGRESS'))).toMatch(/^\d+%/);
      // Columns are as wide as their widest cell, plus two spaces: never wider.
      expect(row[start('KIND') - 3]).not.toBe(' ');
    });
  });

  it('says "no jobs" when there are none', () => {
    expect(run('jobs', 'list').stdout).toBe('no jobs\n');
  });

  it('prints what migrate did as JSON', () => {
    expect(json<{ dialect: string; applied: unknown[]; alreadyApplied: number }>('migrate')).toMatchObject({
      dialect: DIALECT,
      applied: [],
      alreadyApplied: expect.any(Number) as number,
    });
  });

  it("changes a pending job's priority, and refuses an unknown priority or a job no longer pending", () => {
    const first = json<{ id: string }>('jobs', 'add', '--kind', 'noop');
    const last = json<{ id: string }>('jobs', 'add', '--kind', 'noop', '--priority', 'low');
    const raised = json<{ id: string; priority: string }>('jobs', 'priority', last.id, 'urgent');
    expect(raised).toMatchObject({ id: last.id, priority: 'urgent' });
    expect(json<{ queuePosition: number }>('jobs', 'show', last.id).queuePosition).toBe(0);
    expect(json<{ queuePosition: number }>('jobs', 'show', first.id).queuePosition).toBe(1);
    expect(run('jobs', 'priority', last.id, 'urgent').stdout).toContain(`${last.id} is now urgent`);

    const unknown = run('jobs', 'priority', last.id, 'asap');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('low, normal, high, urgent');
    json('jobs', 'cancel', first.id);
    const refused = run('jobs', 'priority', first.id, 'high');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('JOB_NOT_PENDING');
  });

  it('reports a failure with --json as one JSON line on stderr, with its code', () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const result = run('jobs', 'show', id, '--json');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const report = JSON.parse(result.stderr) as { error: { code: string; message: string } };
    expect(report.error).toMatchObject({ code: 'JOB_NOT_FOUND', message: `No job ${id}` });
  });

  it.each([
    [['--kind', 'nope'], 'UNKNOWN_KIND'],
    [['--kind', 'sleep', '--payload', '{"ms":-1}'], 'INVALID_PAYLOAD'],
    [['--kind', 'sleep', '--payload', '{not json'], 'INVALID_PAYLOAD'],
    [['--kind', 'noop', '--timeout-seconds', '-5'], '--timeout-seconds'],
    [['--kind', 'noop', '--priority', 'asap'], 'priority'],
  ])('rejects jobs add %j with a clear error and writes nothing', async (args, expected) => {
    const result = run('jobs', 'add', ...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(expected);
    expect(await countRows(t, 'jobs')).toBe(0);
  });

  it('reports an unknown job id with its code', () => {
    const result = run('jobs', 'show', '00000000-0000-4000-8000-000000000000');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('JOB_NOT_FOUND');
  });

  it('names the bad setting when the configuration is invalid', () => {
    const result = spawnSync(process.execPath, [CLI, 'stats'], {
      env: { ...process.env, ...t.env, MAX_RETRIES: 'lots' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CONFIG_INVALID');
    expect(result.stderr).toContain('MAX_RETRIES');
  });
});

// These do not depend on the test database's dialect: they run once, in the sqlite project, except
// PostgreSQL's own case.
describe('reelqueue CLI: what goes wrong outside it', () => {
  let dir: string;
  beforeEach(() => {
    assertBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const runWith = (env: Record<string, string>, ...args: string[]) => {
    const result = spawnSync(process.execPath, [CLI, ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  const READ_ONLY_COMMANDS = [
    ['stats'],
    ['jobs', 'list'],
    ['jobs', 'show', '00000000-0000-4000-8000-000000000000'],
    ['users', 'list'],
    ['keys', 'list', '--user', 'someone'],
  ];

  it.runIf(DIALECT === 'sqlite').each(READ_ONLY_COMMANDS.map((args) => [args.join(' '), args] as const))(
    '`%s` refuses a SQLite database that does not exist, and creates nothing',
    (_name, args) => {
      const missing = path.join(dir, 'no', 'such', 'dir', 'x.db');
      const result = runWith({ DATABASE_URL: `sqlite:${missing}` }, ...args);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('DATABASE_NOT_FOUND');
      expect(result.stderr).toContain(missing);
      expect(existsSync(path.join(dir, 'no'))).toBe(false);
    },
  );

  it.runIf(DIALECT === 'postgres')('`stats` says a PostgreSQL database that does not exist does not', () => {
    const result = runWith(
      { DATABASE_URL: POSTGRES_URL.replace(/\/[^/]*$/, '/rq_no_such_database') },
      'stats',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_NOT_FOUND: The database named in DATABASE_URL does not exist');
  });

  it.runIf(DIALECT === 'sqlite')(
    'runs from a clone as `npm run -s cli -- …`, printing only its own output',
    () => {
      const url = `sqlite:${path.join(dir, 'x.db')}`;
      expect(runWith({ DATABASE_URL: url }, 'migrate').code).toBe(0);
      const result = spawnSync('npm', ['run', '-s', 'cli', '--', 'stats', '--json'], {
        cwd: path.resolve(path.dirname(CLI), '../..'),
        env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: url },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect((JSON.parse(result.stdout) as { health: { total: number } }).health.total).toBe(0);
    },
  );

  it.runIf(DIALECT === 'sqlite')('names a missing input file with its own code and what to do', () => {
    const result = runWith(
      { DATABASE_URL: `sqlite:${path.join(dir, 'x.db')}` },
      'render',
      path.join(dir, 'no-such-file.md'),
      '-o',
      path.join(dir, 'out.mp4'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^reelqueue: INPUT_NOT_FOUND: There is no lesson file .*no-such-file\.md: check the path\n$/,
    );
  });

  it.runIf(DIALECT === 'sqlite')(
    'says a database that cannot be reached is unavailable, and what to check',
    async () => {
      const port = await freePort();
      const result = runWith({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` }, 'stats');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('DATABASE_UNAVAILABLE');
      expect(result.stderr).toContain('ECONNREFUSED');
      expect(result.stderr).toContain('DATABASE_URL');
      expect(result.stderr).not.toContain('UNEXPECTED');
    },
  );

  it.runIf(DIALECT === 'sqlite')('says a port in use is in use, and how to choose another', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const result = runWith(
        { DATABASE_URL: `sqlite:${path.join(dir, 'x.db')}` },
        'serve',
        '--no-worker',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`PORT_IN_USE: Port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain('--port');
    } finally {
      busy.close();
    }
  });
});
