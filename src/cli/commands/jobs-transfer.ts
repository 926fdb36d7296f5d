/**
 * `reelqueue jobs export` and `reelqueue jobs import`: jobs moved between databases as JSON Lines
 * (src/jobs/transfer.ts). A file export is written beside its name and renamed when complete, so a
 * failed export never leaves a file that looks whole. An import from stdin is spooled to a temp file
 * first: every line is checked before anything is written, which needs a second read.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable, type Writable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ReelqueueError } from '../../errors.js';
import type { JobStatus } from '../../jobs/model.js';
import { STATUS_INPUT_NAMES, statusNamed } from '../../jobs/seed-statuses.js';
import { IMPORT_CONFLICT_RULES, type ExportFilter, type ImportConflictRule } from '../../jobs/store.js';
import { exportLines, importLines } from '../../jobs/transfer.js';
import {
  print,
  withCommonOptions,
  withExistingReelqueue,
  withReelqueue,
  type CommonOptions,
} from '../context.js';

function parseStatuses(value: string, previous: JobStatus[] = []): JobStatus[] {
  const statuses = value.split(',').map((name) => {
    const status = statusNamed(name.trim());
    if (!status) throw new InvalidArgumentError(`Allowed statuses are ${STATUS_INPUT_NAMES.join(', ')}.`);
    return status;
  });
  return [...previous, ...statuses];
}

function parseSince(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('give an ISO 8601 time, such as 2026-01-31T00:00:00Z');
  }
  return date;
}

/** Writes `lines` to `out`, a line break after each, waiting whenever the stream is full. */
async function writeLines(lines: AsyncIterable<string>, out: Writable): Promise<number> {
  let count = 0;
  await pipeline(
    Readable.from(
      (async function* () {
        for await (const line of lines) {
          count++;
          yield `${line}\n`;
        }
      })(),
    ),
    out,
    { end: out !== process.stdout },
  );
  return count;
}

interface ExportOptions extends CommonOptions {
  status?: JobStatus[];
  since?: Date;
  output: string;
}

export function exportCommand(): Command {
  return withCommonOptions(new Command('export'))
    .description(
      'write jobs as JSON Lines (every column and the event log; not videos) to move them to another database',
    )
    .option(
      '--status <statuses>',
      `only jobs in these statuses (comma-separated: ${STATUS_INPUT_NAMES.join(', ')})`,
      parseStatuses,
    )
    .option('--since <iso-time>', 'only jobs created at or after this time', parseSince)
    .option('--output <file>', 'where to write ("-": standard output)', '-')
    .action(async (options: ExportOptions) => {
      const filter: ExportFilter = {
        ...(options.status && { statuses: [...new Set(options.status)] }),
        ...(options.since && { createdSince: options.since }),
      };
      await withExistingReelqueue(options, async (app) => {
        const lines = exportLines(app.jobs, filter);
        if (options.output === '-') {
          await writeLines(lines, process.stdout);
          return;
        }
        const partial = `${options.output}.partial`;
        try {
          const count = await writeLines(lines, createWriteStream(partial, { mode: 0o600 }));
          await rename(partial, options.output);
          print(
            options,
            { exported: count - 1, output: options.output },
            () => `exported ${count - 1} jobs to ${options.output}`,
          );
        } catch (error) {
          await rm(partial, { force: true });
          throw error;
        }
      });
    });
}

function unreadableInput(file: string, error: unknown): ReelqueueError {
  const reason = (error as NodeJS.ErrnoException).code;
  if (reason === 'ENOENT') {
    return new ReelqueueError('INPUT_NOT_FOUND', `There is no import file ${file}: check the path`, { file });
  }
  return new ReelqueueError(
    'INPUT_UNREADABLE',
    `Cannot read the import file ${file}${reason ? ` (${reason})` : ''}`,
    { file, reason: reason ?? 'UNKNOWN' },
    { cause: error },
  );
}

/** The lines of a file, read anew on each call. */
function fileLines(file: string): () => AsyncIterable<string> {
  return () => createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
}

/** Standard input copied to a temp file (removed by `done`), so that it can be read twice. */
async function spooledStdin(): Promise<{ file: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'reelqueue-import-'));
  const file = path.join(dir, 'jobs.jsonl');
  await pipeline(process.stdin, createWriteStream(file, { mode: 0o600 }));
  return { file, done: () => rm(dir, { recursive: true, force: true }) };
}

interface ImportCliOptions extends CommonOptions {
  onConflict: ImportConflictRule;
}

export function importCommand(): Command {
  return withCommonOptions(new Command('import'))
    .description(
      'read jobs written by `jobs export` into this database: ids, states, times and logs kept (running jobs are queued again)',
    )
    .argument('[file]', 'JSON Lines to read ("-": standard input)', '-')
    .addOption(
      new Option('--on-conflict <rule>', 'a job already in this database: skip it, or fail its batch')
        .choices(IMPORT_CONFLICT_RULES)
        .default('fail'),
    )
    .action(async (file: string, options: ImportCliOptions) => {
      const spool = file === '-' ? await spooledStdin() : null;
      const input = spool?.file ?? file;
      try {
        try {
          await stat(input);
        } catch (error) {
          throw unreadableInput(file, error);
        }
        await withReelqueue(options, async (app) => {
          const summary = await importLines(app.jobs, fileLines(input), { onConflict: options.onConflict });
          print(options, summary, () =>
            [
              `imported ${summary.imported} of ${summary.jobs} jobs`,
              summary.skipped > 0 ? `skipped ${summary.skipped} already in this database` : '',
              summary.requeued > 0
                ? `${summary.requeued} were running and were queued again (or cancelled, when asked to stop)`
                : '',
            ]
              .filter(Boolean)
              .join('; '),
          );
        });
      } finally {
        await spool?.done();
      }
    });
}
