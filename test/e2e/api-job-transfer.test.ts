/**
 * Over real HTTP: `GET /api/admin/jobs/export` streams JSON Lines that `POST /api/admin/jobs/import`
 * of another service (a fresh database) reads back; users get 403; a refused line, a taken id and an
 * oversize body answer with their codes and write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { countRows } from '../support/db-fixtures.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';

const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
const codeOf = async (response: Response) => (await json<{ error: { code: string } }>(response)).error.code;

function postLines(api: ApiHarness, user: TestUser, body: string, query = ''): Promise<Response> {
  return fetch(`${api.baseUrl}/api/admin/jobs/import${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.key}`, 'content-type': 'application/x-ndjson' },
    body,
  });
}

describe('HTTP API: moving jobs between databases (admin)', () => {
  let from: ApiHarness;
  let to: ApiHarness;
  let alice: TestUser;
  let exported: string;

  beforeAll(async () => {
    [from, to] = await Promise.all([
      startApi({}, { workers: 0 }),
      startApi({ IMPORT_BODY_LIMIT_BYTES: 64 * 1024 }, { workers: 0 }),
    ]);
    alice = await from.createUser();
    const { jobs } = from.app;
    for (const kind of ['noop', 'noop', 'noop']) {
      await from.app.enqueue({ kind, payload: {}, userId: alice.id });
    }
    const [first] = (await jobs.list({ limit: 1 }, ALL_JOBS)).jobs;
    await jobs.cancel(first!.id, 'moving', ALL_JOBS);
  });
  afterAll(async () => {
    await Promise.all([from?.close(), to?.close()]);
  });

  it('answers 403 to a user on both routes', async () => {
    expect((await from.call(alice, 'GET', '/api/admin/jobs/export')).status).toBe(403);
    const refused = await postLines(from, alice, '{}');
    expect(refused.status).toBe(403);
    expect(await codeOf(refused)).toBe('FORBIDDEN');
  });

  it('streams every job as application/x-ndjson, filtered by status', async () => {
    const response = await from.call(from.admin, 'GET', '/api/admin/jobs/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    exported = await response.text();
    const lines = exported.trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'reelqueue-jobs', version: 1 });
    expect(lines).toHaveLength(4);
    const cancelled = await (
      await from.call(from.admin, 'GET', '/api/admin/jobs/export?status=cancelled')
    ).text();
    expect(
      cancelled
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => JSON.parse(line).status),
    ).toEqual(['cancelled']);
    const bad = await from.call(from.admin, 'GET', '/api/admin/jobs/export?status=sleeping');
    expect(bad.status).toBe(400);
    expect(await codeOf(bad)).toBe('VALIDATION_FAILED');
  });

  it('refuses a hostile line with its number and writes nothing', async () => {
    const lines = exported.trimEnd().split('\n');
    const hostile = [...lines.slice(0, 2), lines[2]!.replace('"status":"', '"status":"x'), lines[3]].join(
      '\n',
    );
    const response = await postLines(to, to.admin, hostile);
    expect(response.status).toBe(400);
    const body = await json<{ error: { code: string; details: { line: number; field: string } } }>(response);
    expect(body.error).toMatchObject({ code: 'IMPORT_INVALID_LINE', details: { line: 3, field: 'status' } });
    expect(await countRows(to.t, 'jobs')).toBe(0);
  });

  it('refuses a body over IMPORT_BODY_LIMIT_BYTES with 413', async () => {
    const response = await postLines(to, to.admin, `${exported}${' '.repeat(70 * 1024)}\n`);
    expect(response.status).toBe(413);
    expect(await codeOf(response)).toBe('PAYLOAD_TOO_LARGE');
    expect(await countRows(to.t, 'jobs')).toBe(0);
  });

  it('imports the export into another database, then skips or refuses (409) the same jobs', async () => {
    const imported = await postLines(to, to.admin, exported);
    expect(imported.status).toBe(200);
    expect(await json(imported)).toEqual({ jobs: 3, imported: 3, skipped: 0, requeued: 0 });
    for (const line of exported.trimEnd().split('\n').slice(1)) {
      const { id } = JSON.parse(line) as { id: string };
      expect(await to.app.jobs.get(id, ALL_JOBS)).toEqual(await from.app.jobs.get(id, ALL_JOBS));
    }
    const skipped = await postLines(to, to.admin, exported, '?on_conflict=skip');
    expect(await json(skipped)).toEqual({ jobs: 3, imported: 0, skipped: 3, requeued: 0 });
    const refused = await postLines(to, to.admin, exported);
    expect(refused.status).toBe(409);
    expect(await codeOf(refused)).toBe('IMPORT_CONFLICT');
    expect(await countRows(to.t, 'jobs')).toBe(3);
  });
});
