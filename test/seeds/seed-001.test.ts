/**
 * Seed 001 (SQLAlchemy, `presentation_jobs.db`), its "Step 4: Test" as written: start the server,
 * `curl -X POST /presentations`, the database file exists, `sqlite3 presentation_jobs.db "SELECT *
 * FROM presentation_jobs;"`, restart, `curl /presentations/{job_id}` still answers; and its testing
 * checklist: an update shows in the database, 100 jobs all persist. On SQLite the database is the
 * seed's own file name, given the seed's way (a relative SQLAlchemy URL).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness } from '../support/api-server.js';
import { DIALECT } from '../support/test-database.js';
import { seedSql } from './seed-support.js';

interface Seed001Job {
  job_id: string;
  status: string;
  progress: number;
  error: string | null;
  created_files: unknown[];
}

const SELECT_ALL = {
  postgres: 'SELECT * FROM presentation_jobs;',
  sqlite: 'SELECT * FROM presentation_jobs;',
};

describe('seed 001: POST /presentations, presentation_jobs.db, restart persistence', () => {
  let api: ApiHarness;
  let dir: string | undefined;
  let file: string | undefined;

  beforeAll(async () => {
    if (DIALECT === 'sqlite') {
      dir = mkdtempSync(path.join(tmpdir(), 'seed-001-'));
      file = path.join(dir, 'presentation_jobs.db');
      // sqlite:///relative, as SQLAlchemy reads it: relative to the working directory.
      api = await startApi(
        { DATABASE_URL: `sqlite:///${path.relative(process.cwd(), file)}` },
        { workers: 0 },
      );
    } else {
      api = await startApi({}, { workers: 0 });
    }
  });
  afterAll(async () => {
    await api.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('curl POST /presentations; the table has the job; restart; GET /presentations/{job_id} still answers it', async () => {
    const created = await api.call(api.admin, 'POST', '/presentations', TINY_LESSON);
    expect(created.status).toBe(202);
    const job = await json<Seed001Job>(created);
    expect(job).toMatchObject({ status: 'queued', progress: 0, error: null, created_files: [] });

    if (file) expect(existsSync(file)).toBe(true); // ls presentation_jobs.db
    const rows = await seedSql(api, SELECT_ALL);
    expect(rows.find((row) => row.job_id === job.job_id)).toMatchObject({ status: 'pending' });

    await api.restart();
    const read = await api.call(api.admin, 'GET', `/presentations/${job.job_id}`);
    expect(read.status).toBe(200);
    expect(await json<Seed001Job>(read)).toMatchObject({ job_id: job.job_id, status: 'queued' });
  });

  it('update job: the change is in the database', async () => {
    const created = await json<Seed001Job>(await api.call(api.admin, 'POST', '/presentations', TINY_LESSON));
    const cancel = await api.call(api.admin, 'POST', `/api/presentations/jobs/${created.job_id}/cancel`, {});
    expect(cancel.status).toBe(200);
    const [row] = await seedSql(
      api,
      {
        postgres: 'SELECT * FROM presentation_jobs WHERE job_id = $1',
        sqlite: 'SELECT * FROM presentation_jobs WHERE job_id = ?',
      },
      [created.job_id],
    );
    expect(row).toMatchObject({ status: 'cancelled' });
    // Seed 001's clients know queued/processing/completed/failed only.
    const read = await json<Seed001Job>(await api.call(api.admin, 'GET', `/presentations/${created.job_id}`));
    expect(read.status).toBe('failed');
    expect(read.error).toEqual(expect.any(String));
  });

  it('create 100 jobs (at once, default settings): all 100 answered 202 and all persist', async () => {
    const before = (await seedSql(api, SELECT_ALL)).length;
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => api.call(api.admin, 'POST', '/presentations', TINY_LESSON)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(202));
    const ids = await Promise.all(answers.map(async (a) => (await json<Seed001Job>(a)).job_id));
    expect(new Set(ids).size).toBe(100);
    const rows = await seedSql(api, SELECT_ALL);
    expect(rows.length).toBe(before + 100);
    await api.restart();
    for (const id of ids.slice(0, 5)) {
      expect((await api.call(api.admin, 'GET', `/presentations/${id}`)).status).toBe(200);
    }
  });
});
