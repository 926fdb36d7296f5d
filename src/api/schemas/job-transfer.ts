/** Request and response schemas of the admin job export and import (`/api/admin/jobs/…`). */
import { Type, type Static } from '@sinclair/typebox';
import { IMPORT_CONFLICT_RULES } from '../../jobs/store.js';
import { StringEnum } from './json-types.js';

export const ExportQuery = Type.Object(
  {
    status: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          "Comma-separated statuses (the seeds' names too: queued = pending, processing = running)",
      }),
    ),
    since: Type.Optional(
      Type.String({ maxLength: 64, description: 'Only jobs created at or after this ISO 8601 time' }),
    ),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;

export const ImportQuery = Type.Object(
  {
    // A job whose id (or owner and idempotency key) is taken: skip it, or refuse its batch (default).
    on_conflict: Type.Optional(StringEnum(IMPORT_CONFLICT_RULES)),
  },
  { additionalProperties: false },
);
export type ImportQuery = Static<typeof ImportQuery>;

export const ImportBody = Type.String({
  description:
    'JSON Lines as `GET /api/admin/jobs/export` writes them: the header line, then one job a line ' +
    '(application/x-ndjson)',
});

export const ImportSummarySchema = Type.Object({
  jobs: Type.Integer({ description: 'Job lines read' }),
  imported: Type.Integer(),
  skipped: Type.Integer({ description: 'Already in this database (on_conflict=skip)' }),
  requeued: Type.Integer({
    description:
      'Imported jobs that were running when exported: queued again (or cancelled, when asked to stop)',
  }),
});
