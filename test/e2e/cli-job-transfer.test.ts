/**
 * `reelqueue jobs export` and `jobs import`, run from the build: an export to a file read into a
 * fresh database (ids, states and logs kept), an export piped into an import through stdin, and a
 * file with a hostile line refused with its code and line number, nothing written.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { countRows } from '../support/db-fixtures.js';
import { JobFactory } from '../support/job-factory.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { assertBuilt, CLI } from '../support/worker-process.js';

describe('reelqueue jobs export | import', () => {
  let from: TestDatabase;
  let to: TestDatabase;
  let dir: string;

  beforeEach(async () => {
    assertBuilt();
    [from, to] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-transfer-'));
  });
  afterEach(async () => {
    await Promise.all([from.cleanup(), to.cleanup()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (t: TestDatabase, args: string[], input?: string) => {
    const result = spawnSync(process.execPath, [CLI, 'jobs', ...args], {
      env: { ...process.env, ...t.env, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      ...(input !== undefined && { input }),
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  async function someJobs() {
    const jobs = new JobFactory(from.db.jobs, from.config);
    return [
      await jobs.completed({ result: { video_url: '/api/videos/a' } }),
      await jobs.failed({ errorCode: 'RENDER_FAILED' }),
      await jobs.cancelled({ reason: 'moved' }),
      await jobs.pending({ priority: 'urgent' }),
    ];
  }

  it('exports to a file that a fresh database imports, every job and log kept', async () => {
    const made = await someJobs();
    const file = path.join(dir, 'jobs.jsonl');
    const exported = run(from, ['export', '--output', file, '--json']);
    expect(exported.stderr).toBe('');
    expect(JSON.parse(exported.stdout)).toEqual({ exported: 4, output: file });
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(5);

    const imported = run(to, ['import', file, '--json']);
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toEqual({ jobs: 4, imported: 4, skipped: 0, requeued: 0 });
    for (const job of made) {
      expect(await to.db.jobs.get(job.id, ALL_JOBS)).toEqual(await from.db.jobs.get(job.id, ALL_JOBS));
      const log = async (t: TestDatabase) =>
        (await t.db.jobs.listEvents(job.id, FROM_THE_START, 100)).map(({ id: _id, ...event }) => event);
      expect(await log(to)).toEqual(await log(from));
    }

    // Again: the jobs are there. The default rule refuses, `skip` leaves them out.
    const refused = run(to, ['import', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^reelqueue: IMPORT_CONFLICT: /);
    const skipped = run(to, ['import', file, '--on-conflict', 'skip']);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/imported 0 of 4 jobs; skipped 4 already in this database/);
  });

  it('imports an export piped through standard input, with the status filter', async () => {
    await someJobs();
    const exported = run(from, ['export', '--status', 'completed,failed']);
    expect(exported.code).toBe(0);
    const imported = run(to, ['import', '-', '--json'], exported.stdout);
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toMatchObject({ jobs: 2, imported: 2 });
    expect(await countRows(to, 'jobs')).toBe(2);
  });

  it('refuses a file with a hostile line, naming the line, and writes nothing', async () => {
    await someJobs();
    const lines = run(from, ['export']).stdout.trimEnd().split('\n');
    lines[3] = lines[3]!.replace(/"progress":\d+/, '"progress":101');
    const file = path.join(dir, 'hostile.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const refused = run(to, ['import', file, '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({
      error: { code: 'IMPORT_INVALID_LINE', details: { line: 4, field: 'progress' } },
    });
    expect(await countRows(to, 'jobs')).toBe(0);
    const missing = run(to, ['import', path.join(dir, 'nowhere.jsonl')]);
    expect(missing.stderr).toMatch(/^reelqueue: INPUT_NOT_FOUND: /);
  });
});
