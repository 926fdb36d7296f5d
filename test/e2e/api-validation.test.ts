/**
 * The validation sweep, generated from the service's OpenAPI document: every body, query and path
 * parameter of every route gets requests that break one rule each, and SQL-injection strings. Each
 * is refused with a 4xx and an error code (never a 500), and changes nothing in the database.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJob,
  fillPath,
  getJob,
  isAdmin,
  isPublic,
  json,
  rowCounts,
  type ErrorAnswer,
  type WireJob,
} from '../support/api-helpers.js';
import { setFinishedHoursAgo } from '../support/db-fixtures.js';
import { snapshotTables } from '../support/table-snapshot.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import {
  acceptsNull,
  bodyFaults,
  minimalValue,
  openApiOperations,
  parameterFaults,
  stringPaths,
  withValueAt,
  type Operation,
} from '../support/openapi-faults.js';

/** A valid body per operation; each fault breaks one rule of it. Others start from the schema. */
const VALID_BODIES: Record<string, unknown> = {
  'POST /api/presentations/generate': {
    ...TINY_LESSON,
    lesson: {
      title: 'Clouds',
      slides: [{ title: 'Clouds', bullets: ['Water'], narration: 'Clouds are tiny droplets of water.' }],
    },
    title: 'Clouds',
    subtitle: 'What they are made of',
    author: 'Ms Rivera',
    captions: 'burned',
    title_slide: true,
    closing_slide: false,
    reveal_bullets: false,
    priority: 'low',
    timeout_seconds: 60,
    max_retries: 0,
    use_llm_polish: false,
  },
  'POST /api/generate': { script: 'Rain falls from clouds.', title: 'Rain' },
  // Seed 001's route takes the body of POST /api/presentations/generate.
  'POST /presentations': { script: 'Snow is frozen rain.', title: 'Snow', max_retries: 0 },
  'POST /api/presentations/jobs/bulk-cancel': { job_ids: [randomUUID()] },
  'POST /api/presentations/jobs/:id/cancel': { reason: 'not needed' },
  'POST /api/presentations/jobs/:id/retry': { force_retry: false },
  'PATCH /api/presentations/jobs/:id': { priority: 'high' },
  // Disabled and yearly: nothing in the sweep may queue a job (this harness runs no scheduler anyway).
  'POST /api/schedules': { name: 'validation-sweep', cron: '0 0 1 1 *', kind: 'noop', enabled: false },
  'PATCH /api/schedules/:name': { enabled: false, catch_up: 'last' },
  // The header alone: a valid import of no job, so the sweep's valid requests change no row.
  'POST /api/admin/jobs/import': '{"format":"reelqueue-jobs","version":1}',
};

/** Routes that create a job when the request is valid. */
const CREATES_JOBS = ['POST /api/presentations/generate', 'POST /api/generate', 'POST /presentations'];

const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE jobs; --",
  '" OR ""="',
  '\x00',
  "1' UNION SELECT * FROM users --",
];

interface Request {
  label: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  rawBody?: string;
}

describe('HTTP API: validation and injection sweep, from the OpenAPI document', () => {
  let api: ApiHarness;
  let alice: TestUser;
  let bob: TestUser;
  /** Alice's job that every path parameter names: cancelled, so nothing can run it. */
  let known: WireJob;
  /** Bob's pending job, which nothing Alice sends may touch. */
  let bystander: WireJob;
  let operations: Operation[];

  beforeAll(async () => {
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0, MAX_ACTIVE_JOBS_PER_USER: 1000 }, { workers: 0 });
    alice = await api.createUser({ wallet: 'wallet-alice-validation' });
    bob = await api.createUser();
    const created = await createJob(api, alice, { script: 'A known job.', max_retries: 0 });
    expect((await api.call(alice, 'POST', `/api/presentations/jobs/${created.id}/cancel`, {})).status).toBe(
      200,
    );
    known = await getJob(api, alice, created.id);
    bystander = await createJob(api, bob, { script: 'Bob’s job.' });
    operations = (await openApiOperations(api)).filter(
      (op) => op.method !== 'HEAD' && !isPublic(op) && (op.body !== null || op.parameters.length > 0),
    );
  });
  afterAll(() => api.close());

  const key = (op: Operation) => `${op.method} ${op.url}`;
  const callerFor = (op: Operation) => (isAdmin(op) ? api.admin : alice);
  // Deleting a job by id is the one route whose valid request destroys Alice's job, which every
  // sweep checks is unchanged: it gets an id that names no job (404, still no validation error).
  const pathOf = (op: Operation) =>
    fillPath(op.url, key(op) === 'DELETE /api/presentations/jobs/:id' ? randomUUID() : known.id);
  const validBody = (op: Operation) => VALID_BODIES[key(op)] ?? (op.body ? minimalValue(op.body) : undefined);

  async function send(op: Operation, request: Request): Promise<Response> {
    const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
    if (request.rawBody !== undefined) {
      return fetch(`${api.baseUrl}${request.path}${query}`, {
        method: op.method,
        headers: { authorization: `Bearer ${callerFor(op).key}`, ...request.headers },
        body: request.rawBody,
      });
    }
    return api.call(callerFor(op), op.method, `${request.path}${query}`, request.body, request.headers);
  }

  async function expectUnchanged(context: string): Promise<void> {
    const alicesJob = await getJob(api, alice, known.id);
    expect(alicesJob, context).toMatchObject({ status: 'cancelled', updated_at: known.updated_at });
    const bobsJob = await getJob(api, bob, bystander.id);
    expect(bobsJob, context).toMatchObject({ status: 'pending', updated_at: bystander.updated_at });
  }

  /** Faults of one operation: each breaks exactly one rule of its schema. */
  function faultyRequests(op: Operation): Request[] {
    const requests: Request[] = [];
    const base = validBody(op);
    if (op.body) {
      for (const fault of bodyFaults(op.body))
        requests.push({
          label: fault.label,
          path: pathOf(op),
          body: withValueAt(base, op.body, fault.path, fault.value),
        });
      for (const whole of ['a string', 42, [1, 2]])
        requests.push({ label: `a body that is ${JSON.stringify(whole)}`, path: pathOf(op), body: whole });
      if (op.bodyRequired && !acceptsNull(op.body)) requests.push({ label: 'no body', path: pathOf(op) });
      requests.push({
        label: 'a body that is not JSON',
        path: pathOf(op),
        rawBody: '{"script": "unterminated',
        headers: { 'content-type': 'application/json' },
      });
      requests.push({
        label: 'a body that is not application/json',
        path: pathOf(op),
        rawBody: 'script=hello',
        headers: { 'content-type': 'text/plain' },
      });
    }
    for (const parameter of op.parameters) {
      for (const fault of parameterFaults(parameter)) {
        // Over-long path parameters have a test of their own: the router refuses them first.
        if (parameter.in === 'query') {
          requests.push({
            label: fault.label,
            path: pathOf(op),
            query: { [parameter.name]: fault.value },
            body: base,
          });
        }
      }
    }
    if (op.parameters.some((p) => p.in === 'query'))
      requests.push({
        label: 'an unknown query parameter',
        path: pathOf(op),
        query: { zz_unknown: '1' },
        body: base,
      });
    return requests;
  }

  it('covers every route with a body or a querystring', () => {
    const swept = operations.map(key);
    expect(swept).toEqual(
      expect.arrayContaining([
        'POST /api/presentations/generate',
        'GET /api/presentations/jobs',
        'GET /api/presentations/jobs/:id',
        'PATCH /api/presentations/jobs/:id',
        'POST /api/presentations/jobs/:id/cancel',
        'POST /api/presentations/jobs/:id/retry',
        'POST /api/presentations/jobs/bulk-cancel',
        'DELETE /api/presentations/jobs/cleanup',
        'GET /api/presentations/jobs/health',
        'GET /api/presentations/jobs/statistics',
        'GET /api/presentations/jobs/statistics/timeseries',
        'GET /api/admin/keys',
        'GET /api/users/me/keys',
        'POST /api/presentations/jobs/system/recovery',
        'GET /api/presentations/jobs/:id/events',
        'POST /api/generate',
        'POST /api/schedules',
        'GET /api/schedules/:name',
        'PATCH /api/schedules/:name',
        'DELETE /api/schedules/:name',
        'GET /api/admin/jobs/export',
        'POST /api/admin/jobs/import',
      ]),
    );
  });

  it('refuses missing fields, wrong types, unknown fields and oversize values with a 4xx and a code, changing nothing', async () => {
    const before = await rowCounts(api);
    let sent = 0;
    const problems: string[] = [];
    for (const op of operations) {
      for (const request of faultyRequests(op)) {
        const response = await send(op, request);
        const text = await response.text();
        sent++;
        const context = `${key(op)} with ${request.label}: ${response.status} ${text.slice(0, 300)}`;
        let code: unknown;
        try {
          code = (JSON.parse(text) as ErrorAnswer).error.code;
        } catch {
          code = undefined;
        }
        if (response.status < 400 || response.status >= 500 || typeof code !== 'string')
          problems.push(context);
      }
      // Checked once per route, to keep the sweep fast: no refused request changed a row.
      const after = await rowCounts(api);
      if (after.jobs !== before.jobs || after.job_events !== before.job_events)
        problems.push(`${key(op)}: a refused request changed the row counts`);
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    await expectUnchanged('after the validation sweep');
  });

  // Needs `frameworkErrors: frameworkErrorHandler` (src/api/http-errors.ts) in the Fastify options of
  // src/api/server.ts: the router refuses these before any route or error handler runs.
  it('refuses an over-long or malformed path parameter with a 4xx and a code, changing nothing', async () => {
    const before = await rowCounts(api);
    const problems: string[] = [];
    for (const op of operations) {
      for (const parameter of op.parameters.filter((p) => p.in === 'path')) {
        const faults = [
          ...parameterFaults(parameter),
          { label: `path parameter ${parameter.name} with a malformed %-encoding`, value: '%E0%A4%A' },
        ];
        for (const fault of faults) {
          const path = fault.value.startsWith('%')
            ? op.url.replace(/:\w+/g, fault.value)
            : fillPath(op.url, fault.value);
          const response = await send(op, { label: fault.label, path, body: validBody(op) });
          const text = await response.text();
          let code: unknown;
          try {
            code = (JSON.parse(text) as ErrorAnswer).error.code;
          } catch {
            code = undefined;
          }
          if (response.status < 400 || response.status >= 500 || typeof code !== 'string')
            problems.push(`${key(op)} with ${fault.label}: ${response.status} ${text.slice(0, 120)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await rowCounts(api)).toEqual(before);
  });

  it('accepts the same requests without the fault (the fault is what was refused)', async () => {
    for (const op of operations) {
      const response = await send(op, { label: 'valid', path: pathOf(op), body: validBody(op) });
      const text = response.headers.get('content-type')?.startsWith('text/event-stream')
        ? ''
        : await response.text();
      expect(response.status, `${key(op)}: ${text}`).toBeLessThan(500);
      expect(text, key(op)).not.toContain('VALIDATION_FAILED');
    }
  });

  it('treats SQL-injection strings in every path, query and body parameter as plain data', async () => {
    const problems: string[] = [];
    let counts = await rowCounts(api);
    for (const op of operations) {
      const base = validBody(op);
      const requests: Request[] = [];
      for (const injection of INJECTIONS) {
        const shown = JSON.stringify(injection);
        for (const parameter of op.parameters) {
          if (parameter.in === 'path')
            requests.push({
              label: `path ${parameter.name}=${shown}`,
              path: fillPath(op.url, injection),
              body: base,
            });
          if (parameter.in === 'query')
            requests.push({
              label: `query ${parameter.name}=${shown}`,
              path: pathOf(op),
              query: { [parameter.name]: injection },
              body: base,
            });
        }
        if (op.body) {
          for (const at of stringPaths(op.body))
            requests.push({
              label: `body ${at.join('.')}=${shown}`,
              path: pathOf(op),
              body: withValueAt(base, op.body, at, injection),
            });
        }
        // A NUL cannot be sent in a header at all.
        if (op.url.endsWith('/events') && !injection.includes('\x00'))
          requests.push({
            label: `Last-Event-ID ${shown}`,
            path: pathOf(op),
            headers: { 'last-event-id': injection },
          });
      }
      const before = counts;
      let created = 0;
      for (const request of requests) {
        const response = await send(op, request);
        const streamed = response.headers.get('content-type')?.startsWith('text/event-stream');
        const text = streamed ? '' : await response.text();
        if (streamed) await response.body?.cancel();
        const context = `${key(op)} with ${request.label}: ${response.status} ${text.slice(0, 300)}`;
        if (response.status >= 500) problems.push(context);
        // 202 is a new job; 200 the job an idempotency key already named (seed 004's route has no key).
        const createdStatus =
          key(op) === 'POST /api/generate' ? response.status < 300 : response.status === 202;
        if (createdStatus && CREATES_JOBS.includes(key(op))) created++;
      }
      // A request that queues a job adds that job, nothing else (its `created` event is read from it).
      const after = (counts = await rowCounts(api));
      if (after.jobs !== before.jobs + created || after.job_events !== before.job_events)
        problems.push(`${key(op)} changed the row counts ${JSON.stringify({ before, after, created })}`);
    }
    expect(problems).toEqual([]);
    await expectUnchanged('after the injection sweep');
    // The tables are all still there.
    expect((await api.call(alice, 'GET', '/api/presentations/jobs?include_finished=true')).status).toBe(200);
    expect((await api.call(alice, 'GET', '/api/users/me')).status).toBe(200);
  });
});

/** Number texts that are not finite numbers: each once slipped past every range check. */
const NOT_FINITE = ['Infinity', '-Infinity', '+Infinity', '1e309', '-1e309', 'NaN'];

const cursorOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('HTTP API: only finite numbers within range pass (issue 21, defect 3)', () => {
  let api: ApiHarness;
  let alice: TestUser;
  /** Alice's finished (cancelled) job: a cleanup that slipped through would delete it. */
  let finished: WireJob;
  let operations: Operation[];

  beforeAll(async () => {
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
    alice = await api.createUser();
    finished = await createJob(api, alice, { script: 'A finished job.', max_retries: 0 });
    expect((await api.call(alice, 'POST', `/api/presentations/jobs/${finished.id}/cancel`, {})).status).toBe(
      200,
    );
    await setFinishedHoursAgo(api.t, finished.id, 1);
    operations = await openApiOperations(api);
  });
  afterAll(() => api.close());

  const numericQueries = () =>
    operations.flatMap((op) =>
      op.parameters
        .filter((p) => p.in === 'query' && (p.schema.type === 'integer' || p.schema.type === 'number'))
        .map((parameter) => ({ op, name: parameter.name })),
    );

  it('covers every numeric query parameter of the OpenAPI document', () => {
    const names = numericQueries().map(({ op, name }) => `${op.method} ${op.url} ${name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /api/presentations/jobs limit',
        'GET /api/lessons limit',
        'DELETE /api/presentations/jobs/cleanup max_age_hours',
        'GET /api/presentations/jobs/health hours',
        'GET /api/presentations/jobs/statistics hours',
        'GET /api/presentations/jobs/statistics/timeseries hours',
        'POST /api/presentations/jobs/system/recovery timeout_minutes',
        'GET /api/presentations/jobs/:id/events after',
      ]),
    );
  });

  it('refuses Infinity, 1e309, -Infinity and NaN in every numeric query parameter: 400 naming the field, nothing changed', async () => {
    const before = await snapshotTables(api.t);
    const problems: string[] = [];
    for (const { op, name } of numericQueries()) {
      for (const value of NOT_FINITE) {
        const path = `${fillPath(op.url, finished.id)}?${name}=${encodeURIComponent(value)}`;
        const response = await api.call(isAdmin(op) ? api.admin : alice, op.method, path);
        const streamed = response.headers.get('content-type')?.startsWith('text/event-stream');
        const text = streamed ? '(an event stream)' : await response.text();
        if (streamed) await response.body?.cancel();
        const said = `${op.method} ${path}: ${response.status} ${text.slice(0, 200)}`;
        if (response.status !== 400) {
          problems.push(said);
          continue;
        }
        const error = (JSON.parse(text) as ErrorAnswer).error;
        if (error.code !== 'VALIDATION_FAILED' || !JSON.stringify(error).includes(name)) problems.push(said);
      }
    }
    expect(problems).toEqual([]);
    expect(await snapshotTables(api.t)).toEqual(before);
    expect((await getJob(api, alice, finished.id)).status).toBe('cancelled');
  });

  it('refuses 1e309 and -1e309 in numeric body fields with 400 VALIDATION_FAILED', async () => {
    const before = await snapshotTables(api.t);
    const cases: [TestUser, string, string][] = [
      [alice, '/api/presentations/generate', '{"script":"Rain.","timeout_seconds":1e309}'],
      [alice, '/api/presentations/generate', '{"script":"Rain.","max_retries":-1e309}'],
      [api.admin, '/api/admin/users', '{"points":1e309}'],
      [api.admin, `/api/admin/users/${alice.id}/points`, '{"delta":-1e309}'],
    ];
    for (const [user, path, body] of cases) {
      const response = await fetch(`${api.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.key}`, 'content-type': 'application/json' },
        body,
      });
      const text = await response.text();
      expect(response.status, `${path} ${body}: ${text}`).toBe(400);
      expect((JSON.parse(text) as ErrorAnswer).error.code).toBe('VALIDATION_FAILED');
    }
    expect(await snapshotTables(api.t)).toEqual(before);
  });

  it('refuses text holding a lone surrogate (JSON "\\ud800"), which no database stores, changing nothing', async () => {
    const pending = await createJob(api, alice, { script: 'A pending job.' });
    const before = await snapshotTables(api.t);
    const cases: [string, string][] = [
      [`/api/presentations/jobs/${pending.id}/cancel`, '{"reason":"stop \\ud800"}'],
      ['/api/lessons', '{"script":"Rain \\udc00 falls."}'],
      ['/api/presentations/generate', '{"script":"Rain.","title":"\\ud800"}'],
    ];
    for (const [path, body] of cases) {
      const response = await fetch(`${api.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'application/json' },
        body,
      });
      const text = await response.text();
      expect(response.status, `${path} ${body}: ${text}`).toBe(400);
      expect((JSON.parse(text) as ErrorAnswer).error.code).toBe('VALIDATION_FAILED');
    }
    expect(await snapshotTables(api.t)).toEqual(before);
    expect((await getJob(api, alice, pending.id)).status).toBe('pending');
  });

  it('refuses a cursor with a time out of range or not in the form this service hands out', async () => {
    const id = finished.id;
    const page = await json<{ next_cursor: string | null }>(
      await api.call(alice, 'GET', '/api/presentations/jobs?limit=1&include_finished=true'),
    );
    const cursors = [
      cursorOf([1e300, id]),
      cursorOf([-8.64e15, id]),
      cursorOf([8.64e15, id]),
      cursorOf([-1, id]),
      cursorOf([1.5, id]),
      cursorOf([Date.now(), id]) + '!!',
      cursorOf([Date.now(), id]) + '=',
      cursorOf([`${Date.now()}`, id]),
    ];
    for (const path of ['/api/presentations/jobs', '/api/lessons']) {
      for (const cursor of cursors) {
        const response = await api.call(alice, 'GET', `${path}?cursor=${encodeURIComponent(cursor)}`);
        const text = await response.text();
        expect(response.status, `${path} cursor ${cursor}: ${text}`).toBe(400);
        expect(JSON.parse(text), text).toMatchObject({
          error: { code: 'VALIDATION_FAILED', details: { field: 'cursor' } },
        });
      }
    }
    // A cursor in the form the service hands out still pages.
    for (const valid of [page.next_cursor, cursorOf([Date.now() + 60_000, id])].filter(Boolean))
      expect((await api.call(alice, 'GET', `/api/presentations/jobs?cursor=${valid}`)).status).toBe(200);
  });

  it('the stores refuse non-finite numbers too, whoever calls them, and change nothing', async () => {
    const before = await snapshotTables(api.t);
    const refusals: [string, () => Promise<unknown>][] = [
      ['jobs.list', () => api.app.jobs.list({ limit: Infinity, cursor: null }, ALL_JOBS)],
      ['jobs.cleanup', () => api.app.jobs.cleanup(-Infinity, ALL_JOBS)],
      ['jobs.cleanup NaN', () => api.app.jobs.cleanup(NaN, ALL_JOBS)],
      ['jobs.statistics', () => api.app.jobs.statistics(Infinity, ALL_JOBS)],
      ['jobs.timeSeries', () => api.app.jobs.timeSeries(Infinity, 'hour', ALL_JOBS)],
      ['jobs.timeSeries NaN', () => api.app.jobs.timeSeries(NaN, 'minute', ALL_JOBS)],
      ['jobs.recoverStale', () => api.app.jobs.recoverStale(-Infinity)],
      ['jobs.listEvents', () => api.app.jobs.listEvents(finished.id, Infinity, 10)],
      ['jobs.listEvents limit', () => api.app.jobs.listEvents(finished.id, 0, Infinity)],
      ['lessons.list', () => api.app.database.lessons.list(alice.id, { limit: Infinity, cursor: null })],
    ];
    for (const [what, call] of refusals) {
      await expect(call(), what).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(await snapshotTables(api.t)).toEqual(before);
  });
});
