/** `reelqueue jobs …`: add, list, show, cancel, retry and re-prioritise jobs (export and import: jobs-transfer.ts). */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import {
  JOB_PRIORITIES,
  ON_PARENT_FAILURE,
  type JobPriority,
  type JobStatus,
  type JsonObject,
  type OnParentFailure,
} from '../../jobs/model.js';
import { STATUS_INPUT_NAMES, statusNamed } from '../../jobs/seed-statuses.js';
import { ALL_JOBS, FROM_THE_START } from '../../jobs/store.js';
import { ReelqueueError } from '../../errors.js';
import {
  parseInteger,
  print,
  withCommonOptions,
  withExistingReelqueue,
  withReelqueue,
  type CommonOptions,
} from '../context.js';
import { jobDetails, jobsTable } from '../format.js';
import { splitStatusLine, splitStatusOf } from '../../render/split/split-status.js';
import { exportCommand, importCommand } from './jobs-transfer.js';

function parsePayload(text: string): JsonObject {
  try {
    return JSON.parse(text) as JsonObject;
  } catch (error) {
    throw new ReelqueueError('INVALID_PAYLOAD', `--payload is not valid JSON: ${(error as Error).message}`);
  }
}

interface AddOptions extends CommonOptions {
  kind: string;
  payload?: string;
  count: number;
  priority?: JobPriority;
  timeoutSeconds?: number;
  maxRetries?: number;
  idempotencyKey?: string;
  runAt?: string;
  user?: string;
  dependsOn?: string[];
  onParentFailure?: OnParentFailure;
}

/** `--depends-on id,id`: the ids, each trimmed, empty ones left out. */
function parseIdList(text: string): string[] {
  return text
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
}

function addCommand(): Command {
  return withCommonOptions(new Command('add'))
    .description('queue jobs')
    .requiredOption('--kind <kind>', 'job kind (noop, sleep, presentation, …)')
    .option('--payload <json>', 'payload as JSON', '{}')
    .option(
      '--count <n>',
      'how many identical jobs to queue (in one transaction)',
      parseInteger('--count', 1, 1_000_000),
      1,
    )
    .addOption(new Option('--priority <priority>', 'priority').choices(JOB_PRIORITIES))
    .option('--timeout-seconds <s>', 'per-job timeout', parseInteger('--timeout-seconds', 1, 7 * 24 * 3600))
    .option('--max-retries <n>', 'retries after a failed attempt', parseInteger('--max-retries', 0, 100))
    .option('--idempotency-key <key>', 'the same key returns the same job')
    .option('--run-at <iso-time>', 'do not run before this time')
    .option('--user <id>', 'owner of the job')
    .option('--depends-on <ids>', 'comma-separated ids of jobs it waits for (same owner)', parseIdList)
    .addOption(
      new Option('--on-parent-failure <rule>', 'what a parent that fails or is cancelled does to it').choices(
        ON_PARENT_FAILURE,
      ),
    )
    .action(async (options: AddOptions) => {
      const payload = parsePayload(options.payload ?? '{}');
      const runAt = options.runAt === undefined ? undefined : new Date(options.runAt);
      await withReelqueue(options, async (app) => {
        const job = {
          kind: options.kind,
          payload,
          ...(options.priority && { priority: options.priority }),
          ...(options.timeoutSeconds !== undefined && { timeoutSeconds: options.timeoutSeconds }),
          ...(options.maxRetries !== undefined && { maxRetries: options.maxRetries }),
          ...(runAt && { runAt }),
          ...(options.user && { userId: options.user }),
          ...(options.dependsOn && { dependsOn: options.dependsOn }),
          ...(options.onParentFailure && { onParentFailure: options.onParentFailure }),
        };
        const results =
          options.count === 1
            ? [await app.enqueue({ ...job, idempotencyKey: options.idempotencyKey ?? null })]
            : await app.enqueueMany(Array.from({ length: options.count }, () => job));
        print(
          options,
          options.count === 1
            ? { ...results[0]?.job, created: results[0]?.created }
            : { added: results.length },
          () =>
            options.count === 1 && results[0]
              ? `${results[0].created ? 'queued' : 'already queued'} ${results[0].job.id}`
              : `queued ${results.length} ${options.kind} jobs`,
        );
      });
    });
}

function listCommand(): Command {
  return withCommonOptions(new Command('list'))
    .description('list jobs, newest first')
    .addOption(
      new Option('--status <status>', "only jobs in this status (queued, processing: the seeds' names)")
        .choices(STATUS_INPUT_NAMES)
        .argParser((name) => {
          if (!STATUS_INPUT_NAMES.includes(name)) {
            throw new InvalidArgumentError(`Allowed choices are ${STATUS_INPUT_NAMES.join(', ')}.`);
          }
          return statusNamed(name);
        }),
    )
    .option('--kind <kind>', 'only jobs of this kind')
    .option('--limit <n>', 'how many', parseInteger('--limit', 1, 1000), 50)
    .option('--cursor <cursor>', 'continue after a previous page')
    .action(
      async (
        options: CommonOptions & { status?: JobStatus; kind?: string; limit: number; cursor?: string },
      ) => {
        await withExistingReelqueue(options, async (app) => {
          const page = await app.jobs.list(
            {
              limit: options.limit,
              ...(options.status && { statuses: [options.status] }),
              ...(options.kind && { kinds: [options.kind] }),
              cursor: options.cursor ?? null,
            },
            ALL_JOBS,
          );
          print(options, page, () =>
            [
              page.jobs.length === 0 ? 'no jobs' : jobsTable(page.jobs),
              page.nextCursor ? `more: --cursor ${page.nextCursor}` : '',
            ]
              .filter(Boolean)
              .join('\n'),
          );
        });
      },
    );
}

function showCommand(): Command {
  return withCommonOptions(new Command('show'))
    .description('show one job')
    .argument('<id>', 'job id')
    .option('--events', 'also print its event log')
    .action(async (id: string, options: CommonOptions & { events?: boolean }) => {
      await withExistingReelqueue(options, async (app) => {
        const found = await app.jobs.getWithPosition(id, ALL_JOBS);
        if (!found) throw new ReelqueueError('JOB_NOT_FOUND', `No job ${id}`, { jobId: id });
        const { job, queuePosition: position } = found;
        const events = options.events ? await app.jobs.listEvents(id, FROM_THE_START, 10_000) : [];
        const family = await app.jobs.dependencies(id, ALL_JOBS);
        const parentIds = family?.parentIds ?? [];
        const childIds = family?.childIds ?? [];
        const split = await splitStatusOf(job, app.jobs);
        const shown = {
          ...job,
          queuePosition: position,
          dependsOn: parentIds,
          children: childIds,
          onParentFailure: family?.onParentFailure ?? 'fail',
          ...(split && { splitRender: split }),
          ...(options.events && { events }),
        };
        print(options, shown, () =>
          [
            jobDetails(job, position),
            ...(split ? [`split:    ${splitStatusLine(split)}`] : []),
            ...(parentIds.length > 0
              ? [`parents:  ${parentIds.join(', ')} (on parent failure: ${shown.onParentFailure})`]
              : []),
            ...(childIds.length > 0 ? [`children: ${childIds.join(', ')}`] : []),
            ...events.map(
              (e) =>
                `  ${e.at.toISOString()} ${e.type.padEnd(16)} ${e.progress}% ${e.stage ?? ''} ${e.message ?? ''}`,
            ),
          ].join('\n'),
        );
      });
    });
}

function cancelCommand(): Command {
  return withCommonOptions(new Command('cancel'))
    .description('cancel jobs: a pending job never starts, a running one is stopped')
    .argument('<ids...>', 'job ids')
    .option('--reason <text>', 'why (kept on the job)')
    .action(async (ids: string[], options: CommonOptions & { reason?: string }) => {
      await withReelqueue(options, async (app) => {
        const outcome = await app.jobs.cancelMany(ids, options.reason ?? null, ALL_JOBS);
        print(options, outcome, () =>
          [
            ...outcome.cancelled.map((id) => `cancelled ${id}`),
            ...outcome.cancelRequested.map((id) => `stopping ${id} (running; its worker was told)`),
            ...outcome.alreadyFinished.map((id) => `already finished ${id}`),
            ...outcome.notFound.map((id) => `not found ${id}`),
          ].join('\n'),
        );
        if (outcome.notFound.length > 0) process.exitCode = 1;
      });
    });
}

function retryCommand(): Command {
  return withCommonOptions(new Command('retry'))
    .description('queue a failed, cancelled or timed-out job again')
    .argument('<id>', 'job id')
    .option('--force', 'retry even when it used all its retries')
    .action(async (id: string, options: CommonOptions & { force?: boolean }) => {
      await withReelqueue(options, async (app) => {
        const job = await app.jobs.retry(id, { force: options.force ?? false }, ALL_JOBS);
        print(options, job, () => `queued ${job.id} again (retry ${job.retryCount} of ${job.maxRetries})`);
      });
    });
}

function priorityCommand(): Command {
  return withCommonOptions(new Command('priority'))
    .description("change a pending job's priority, which moves its place in the queue")
    .argument('<id>', 'job id')
    .addArgument(new Argument('<priority>', 'the new priority').choices(JOB_PRIORITIES))
    .action(async (id: string, priority: JobPriority, options: CommonOptions) => {
      await withReelqueue(options, async (app) => {
        const job = await app.jobs.changePriority(id, priority, ALL_JOBS);
        print(options, job, () => `${job.id} is now ${job.priority}`);
      });
    });
}

export function jobsCommand(): Command {
  return new Command('jobs')
    .description('add, list, show, cancel, retry, re-prioritise, export and import jobs')
    .addCommand(addCommand())
    .addCommand(listCommand())
    .addCommand(showCommand())
    .addCommand(cancelCommand())
    .addCommand(retryCommand())
    .addCommand(priorityCommand())
    .addCommand(exportCommand())
    .addCommand(importCommand());
}
