/** The README's route table names every route of the OpenAPI document, with its method. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../support/api-server.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## The HTTP API'), readme.indexOf('## The command line'));
const rows = section.split('\n').filter((line) => line.startsWith('| `'));

/**
 * The rows that document a route: they name the whole path, or its parent's path and then the last
 * segment on its own (`GET /api/users/me/webhook-secret` · `POST …/webhook-secret/rotate`).
 */
function rowsOf(path: string): string[] {
  const whole = new RegExp(`${escape(path)}(?![\\w/{-])`);
  const last = path.slice(path.lastIndexOf('/'));
  const parent = path.slice(0, path.lastIndexOf('/'));
  const tail = new RegExp(`${escape(last)}(?![\\w/{-])`);
  return rows.filter(
    (row) =>
      whole.test(row) || (row.includes(parent) && tail.test(row.slice(row.indexOf(parent) + parent.length))),
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('README route table', () => {
  let api: ApiHarness;
  let operations: [string, string][] = [];

  beforeAll(async () => {
    api = await startApi({}, { workers: 0 });
    const answer = await api.call(null, 'GET', '/docs/json');
    const document = (await answer.json()) as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => [method.toUpperCase(), path] as [string, string]),
    );
  });
  afterAll(() => api.close());

  it('documents every route of the OpenAPI document, with its method', () => {
    expect(operations.length).toBeGreaterThan(20);
    const missing = operations.filter(([method, path]) => {
      const named = new RegExp(`\\b${method}\\b`);
      return !rowsOf(path).some((row) => named.test(row));
    });
    expect(missing.map(([method, path]) => `${method} ${path}`)).toEqual([]);
  });
});
