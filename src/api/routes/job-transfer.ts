/**
 * Admin routes that move jobs between databases (src/jobs/transfer.ts): `GET /api/admin/jobs/export`
 * streams JSON Lines (application/x-ndjson), `POST /api/admin/jobs/import` reads them (up to
 * IMPORT_BODY_LIMIT_BYTES; larger files go through `reelqueue jobs import`). An admin key only.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { STATUS_INPUT_NAMES, statusesNamed } from '../../jobs/seed-statuses.js';
import type { ExportFilter } from '../../jobs/store.js';
import { exportLines, importLines } from '../../jobs/transfer.js';
import { requireAdmin } from '../caller.js';
import type { ApiContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { errorResponses } from '../schemas/common.js';
import { ExportQuery, ImportBody, ImportQuery, ImportSummarySchema } from '../schemas/job-transfer.js';

const TAG = ['admin'];
const NDJSON = 'application/x-ndjson';
const adminOnly = async (request: FastifyRequest) => requireAdmin(request);

function exportFilter(query: ExportQuery): ExportFilter {
  const filter: ExportFilter = {};
  if (query.status !== undefined && query.status !== '') {
    const names = query.status.split(',').map((name) => name.trim());
    const unknown = names.filter((name) => !STATUS_INPUT_NAMES.includes(name));
    if (unknown.length > 0) {
      throw new HttpError(
        'VALIDATION_FAILED',
        `Unknown status ${unknown.join(', ')}; use ${STATUS_INPUT_NAMES.join(', ')}`,
        { field: 'status' },
      );
    }
    filter.statuses = statusesNamed(names);
  }
  if (query.since !== undefined) {
    const since = new Date(query.since);
    if (Number.isNaN(since.getTime())) {
      throw new HttpError(
        'VALIDATION_FAILED',
        'since must be an ISO 8601 time, such as 2026-01-31T00:00:00Z',
        {
          field: 'since',
        },
      );
    }
    filter.createdSince = since;
  }
  return filter;
}

/**
 * The export's lines, a line break after each, with the first page already read: a database error
 * there answers as any route's error would, before the 200 is sent. A later one ends the stream
 * early (the client sees a response cut short, never a file that looks whole).
 */
async function primedLines(lines: AsyncGenerator<string>): Promise<AsyncGenerator<string>> {
  const header = await lines.next();
  const first = await lines.next();
  return (async function* () {
    if (!header.done) yield `${header.value}\n`;
    if (first.done) return;
    yield `${first.value}\n`;
    for await (const line of lines) yield `${line}\n`;
  })();
}

export function jobTransferRoutes(server: FastifyInstance, ctx: ApiContext): void {
  const { jobs, config } = ctx.app;
  server.addContentTypeParser(NDJSON, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  server.get<{ Querystring: ExportQuery }>(
    '/api/admin/jobs/export',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary:
          'Every job (or those of the filter) as JSON Lines, application/x-ndjson: a header line, then one ' +
          'job a line with every column and its event log; not videos (admin)',
        querystring: ExportQuery,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const lines = await primedLines(exportLines(jobs, exportFilter(request.query)));
      return reply
        .type(NDJSON)
        .header('Content-Disposition', 'attachment; filename="reelqueue-jobs.jsonl"')
        .send(Readable.from(lines));
    },
  );

  server.post<{ Querystring: ImportQuery; Body: string }>(
    '/api/admin/jobs/import',
    {
      onRequest: adminOnly,
      bodyLimit: config.importBodyLimitBytes,
      schema: {
        tags: TAG,
        summary:
          'Import jobs written by the export: ids, states, times and logs kept, running jobs queued again. ' +
          'Every line is checked first (IMPORT_INVALID_LINE: nothing written); then batches, each one ' +
          'transaction (admin)',
        consumes: [NDJSON],
        querystring: ImportQuery,
        body: ImportBody,
        response: {
          200: ImportSummarySchema,
          409: errorResponses[400],
          413: errorResponses[400],
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const lines = request.body.split(/\r?\n/);
      return importLines(jobs, () => lines, { onConflict: request.query.on_conflict ?? 'fail' });
    },
  );
}
