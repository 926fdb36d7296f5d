/**
 * Property-based fuzzing of every route of the OpenAPI document (fast-check): generated path
 * parameters, query strings and bodies (non-finite, huge and negative numbers; unicode, huge and
 * empty strings; values of the wrong type; nested objects; bodies that are not JSON), sent as a user,
 * as an admin, with a wrong key and with none. Whatever is sent: never a 5xx; every 4xx answers
 * `{error: {code, message, ...}}`; and a refused request leaves every table's contents unchanged.
 *
 * Nothing is skipped: the event stream (`.../events`) is followed until its headers arrive and then
 * closed, and HEAD answers (no body by definition) are checked for their status only.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob } from '../support/api-helpers.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';
import { openApiOperations, type JsonSchema, type Operation } from '../support/openapi-faults.js';
import { snapshotTables } from '../support/table-snapshot.js';

/** Runs per database: about 15 s on a quiet machine, well under the 30 s budget. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);

type Who = 'user' | 'admin' | 'wrong key' | 'no key';

interface FuzzRequest {
  op: Operation;
  who: Who;
  path: string;
  query: [string, string][];
  /** The exact body text, or undefined for none. */
  body: string | undefined;
  contentType: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Values

const NON_FINITE = ['Infinity', '-Infinity', '1e309', '-1e309', 'NaN', '+Infinity', '0x10', '1e-400'];

const hugeString = fc.constantFrom('x'.repeat(10_001), '𝄞'.repeat(3_000), 'a'.repeat(200_000));

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '../../etc/passwd', "' OR 1=1 --", '%00', '🎬'.repeat(50)),
  hugeString,
);

const anyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    Infinity,
    -Infinity,
    NaN,
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_SAFE_INTEGER - 2,
    1e300,
    -1,
    0.5,
  ),
);

/** Any value, of any JSON type (and numbers JSON cannot hold), nested a few levels deep. */
const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyNumber,
    anyString,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Text for a URL: numbers as written in JavaScript (Infinity, NaN, 1e+300), anything else. */
const queryText = fc.oneof(
  fc.constantFrom(...NON_FINITE),
  anyNumber.map(String),
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.constantFrom('true', 'false', 'pending,running', 'zz', ''),
  anyString.map((s) => s.slice(0, 3_000)),
);

/**
 * A body's text: JSON where non-finite numbers are written as number tokens (`1e309`, `-1e309`)
 * JSON.parse turns into Infinity, and NaN as the invalid token `NaN`.
 */
function jsonText(value: unknown): string {
  const tokens: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'number' || Number.isFinite(v)) return v;
    tokens.push(Number.isNaN(v) ? 'NaN' : v > 0 ? '1e309' : '-1e309');
    return `@@non-finite:${tokens.length - 1}@@`;
  });
  return (text ?? 'null').replace(/"@@non-finite:(\d+)@@"/g, (_m, i: string) => tokens[Number(i)] ?? 'null');
}

/** `text` with lone surrogates replaced (U+FFFD), as a URL must carry it. */
const wellFormed = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

// ---------------------------------------------------------------------------------------------
// Bodies shaped by the schema (so the fuzzing reaches past the first type check), or not at all

function branches(schema: JsonSchema): JsonSchema[] {
  return schema.anyOf ?? [schema];
}

/** A value that mostly fits `schema`, with any field now and then replaced by anything at all. */
function shapedBy(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const object = branches(schema).find((s) => s.type === 'object' || s.properties !== undefined);
  const wild = anyValue;
  if (depth > 4) return wild;
  if (object) {
    const fields = Object.entries(object.properties ?? {}).map(
      ([name, property]) => [name, fc.option(shapedBy(property, depth + 1), { nil: undefined })] as const,
    );
    return fc.oneof(
      { weight: 4, arbitrary: fc.record(Object.fromEntries(fields), { requiredKeys: [] }) },
      { weight: 1, arbitrary: wild },
    );
  }
  const first = branches(schema).find((s) => s.type !== 'null') ?? schema;
  let fitting: fc.Arbitrary<unknown>;
  if (first.enum) fitting = fc.constantFrom(...first.enum);
  else if (first.type === 'string') fitting = fc.oneof(fc.string({ maxLength: 30 }), anyString);
  else if (first.type === 'integer' || first.type === 'number') fitting = anyNumber;
  else if (first.type === 'boolean') fitting = fc.boolean();
  else if (first.type === 'array')
    fitting = fc.array(shapedBy(first.items ?? {}, depth + 1), { maxLength: 3 });
  else fitting = wild;
  return fc.oneof({ weight: 4, arbitrary: fitting }, { weight: 1, arbitrary: wild });
}

// ---------------------------------------------------------------------------------------------
// The property

describe('HTTP API fuzzing: every route, generated input (fast-check)', () => {
  let api: ApiHarness;
  let alice: TestUser;
  let operations: Operation[];
  /** Ids that exist (so the fuzzing reaches the handlers), beside generated ones. */
  const known: string[] = [];

  beforeAll(async () => {
    // No worker: jobs stay as they are put. No limits that would turn answers into 429s.
    api = await startApi(
      {
        RATE_LIMIT_PER_MINUTE: 0,
        AUTH_FAILURES_PER_MINUTE: 0,
        MAX_ACTIVE_JOBS_PER_USER: 1_000_000,
      },
      { workers: 0 },
    );
    alice = await api.createUser({ wallet: 'wallet-alice-fuzz', points: 1000 });
    const pending = await createJob(api, alice, { script: 'A pending job.' });
    const cancelled = await createJob(api, alice, { script: 'A cancelled job.', max_retries: 0 });
    await api.call(alice, 'POST', `/api/presentations/jobs/${cancelled.id}/cancel`, {});
    const lesson = (await (
      await api.call(alice, 'POST', '/api/lessons', { script: 'Clouds are droplets.' })
    ).json()) as { id: string };
    known.push(pending.id, cancelled.id, lesson.id, alice.id, api.admin.id);
    operations = await openApiOperations(api);
  });
  afterAll(() => api.close());

  function requestFor(op: Operation): fc.Arbitrary<FuzzRequest> {
    {
      const queryParams = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
      const pathValue = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...known) },
        { weight: 1, arbitrary: fc.constant(randomUUID()) },
        { weight: 2, arbitrary: anyString.map((s) => s.slice(0, 300)) },
        { weight: 1, arbitrary: fc.constantFrom(...NON_FINITE) },
      );
      const query = fc.array(
        fc.tuple(
          fc.oneof(
            { weight: 5, arbitrary: fc.constantFrom(...(queryParams.length ? queryParams : ['q'])) },
            { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
          ),
          queryText,
        ),
        { maxLength: 4 },
      );
      const body = op.body
        ? fc.oneof(
            { weight: 6, arbitrary: shapedBy(op.body).map((v) => ({ text: jsonText(v), type: 'json' })) },
            { weight: 1, arbitrary: fc.constant({ text: undefined, type: undefined }) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                { text: '{"script": "unterminated', type: 'application/json' },
                { text: 'script=hello', type: 'text/plain' },
                { text: '', type: 'application/json' },
                { text: '[1,2', type: 'application/json' },
              ),
            },
          )
        : fc.oneof(
            { weight: 4, arbitrary: fc.constant({ text: undefined, type: undefined }) },
            { weight: 1, arbitrary: anyValue.map((v) => ({ text: jsonText(v), type: 'json' })) },
          );
      return fc
        .record({
          op: fc.constant(op),
          who: fc.constantFrom<Who>('user', 'user', 'admin', 'wrong key', 'no key'),
          path: fc.array(pathValue, { minLength: 3, maxLength: 3 }).map((values) => {
            let i = 0;
            return op.url.replace(/:\w+/g, () => encodeURIComponent(wellFormed(values[i++] ?? '')));
          }),
          query,
          body: fc.constant(undefined),
          contentType: fc.constant(undefined),
          raw: body,
        })
        .map(({ raw, ...rest }) => ({
          ...rest,
          body: raw.text,
          contentType: raw.type === 'json' ? 'application/json' : raw.type,
        }));
    }
  }

  const keyOf = (who: Who): string | null =>
    who === 'user'
      ? alice.key
      : who === 'admin'
        ? api.admin.key
        : who === 'wrong key'
          ? `rq_${'z'.repeat(40)}`
          : null;

  async function send(request: FuzzRequest): Promise<{ status: number; text: string; streamed: boolean }> {
    const search = new URLSearchParams(request.query).toString();
    const key = keyOf(request.who);
    const sendsBody = request.body !== undefined && !['GET', 'HEAD'].includes(request.op.method);
    const response = await fetch(`${api.baseUrl}${request.path}${search ? `?${search}` : ''}`, {
      method: request.op.method,
      headers: {
        ...(key && { authorization: `Bearer ${key}` }),
        ...(sendsBody && request.contentType && { 'content-type': request.contentType }),
      },
      ...(sendsBody && { body: request.body }),
    });
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      await response.body?.cancel();
      return { status: response.status, text: '', streamed: true };
    }
    return { status: response.status, text: await response.text(), streamed: false };
  }

  it('covers every operation of the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(20);
  });

  it('never answers 5xx, always answers a 4xx in the error shape, and a refused request changes no row', async () => {
    // Every operation gets its share of the runs (those with a body twice as many): none is left out.
    const weightOf = (op: Operation) => (op.body ? 2 : 1);
    const totalWeight = operations.reduce((sum, op) => sum + weightOf(op), 0);
    for (const op of operations) {
      const numRuns = Math.max(3, Math.round((RUNS * weightOf(op)) / totalWeight));
      await fc.assert(
        fc.asyncProperty(requestFor(op), async (request) => {
          const before = await snapshotTables(api.t);
          const { status, text } = await send(request);
          const said = `${request.who} ${request.op.method} ${request.path.slice(0, 200)}: ${status} ${text.slice(0, 300)}`;
          expect(status, said).toBeLessThan(500);
          if (status >= 400) {
            if (request.op.method !== 'HEAD') {
              let body: unknown;
              expect(() => (body = JSON.parse(text)), said).not.toThrow();
              expect(body, said).toMatchObject({
                error: { code: expect.any(String), message: expect.any(String) },
              });
            }
            expect(await snapshotTables(api.t), `${said}: a refused request changed a row`).toEqual(before);
          }
        }),
        { numRuns, endOnFailure: true },
      );
    }
  });
});
