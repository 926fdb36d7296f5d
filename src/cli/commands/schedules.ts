/** `reelqueue schedules …`: list, add, enable, disable and remove recurring jobs' schedules. */
import { Command, Option } from 'commander';
import { scheduleToWire } from '../../api/schemas/schedule-wire.js';
import { ReelqueueError } from '../../errors.js';
import { JOB_PRIORITIES, type JobPriority, type JsonObject } from '../../jobs/model.js';
import {
  CATCH_UP_POLICIES,
  MAX_CATCH_UP_LIMIT,
  type CatchUpPolicy,
  type Schedule,
} from '../../schedules/model.js';
import {
  parseInteger,
  print,
  withCommonOptions,
  withExistingReelqueue,
  withReelqueue,
  type CommonOptions,
} from '../context.js';
import { table } from '../format.js';

const iso = (date: Date | null) => (date === null ? '-' : date.toISOString());

function schedulesTable(schedules: readonly Schedule[]): string {
  return table(
    ['NAME', 'CRON', 'TIME ZONE', 'KIND', 'ENABLED', 'CATCH-UP', 'NEXT RUN', 'LAST RUN'],
    schedules.map((s) => [
      s.name,
      s.cron,
      s.timeZone,
      s.kind,
      s.enabled ? 'yes' : 'no',
      s.catchUp === 'all' ? `all (${s.catchUpLimit})` : s.catchUp,
      iso(s.nextRunAt),
      iso(s.lastRunAt),
    ]),
  );
}

function parsePayload(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReelqueueError('INVALID_PAYLOAD', `--payload is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReelqueueError('INVALID_PAYLOAD', '--payload must be a JSON object');
  }
  return value as JsonObject;
}

function listCommand(): Command {
  return withCommonOptions(new Command('list'))
    .description('every schedule: cron, time zone, kind, enabled, catch-up policy, next and last tick')
    .action(async (options: CommonOptions) => {
      await withExistingReelqueue(options, async (app) => {
        const schedules = await app.schedules.list();
        print(options, { schedules: schedules.map(scheduleToWire), count: schedules.length }, () =>
          schedules.length === 0 ? 'no schedules' : schedulesTable(schedules),
        );
      });
    });
}

interface AddOptions extends CommonOptions {
  cron: string;
  kind: string;
  timeZone?: string;
  payload?: string;
  priority?: JobPriority;
  catchUp?: CatchUpPolicy;
  catchUpLimit?: number;
  disabled?: boolean;
}

function addCommand(): Command {
  return withCommonOptions(new Command('add'))
    .description('add a schedule: a job of --kind queued at each tick of --cron')
    .argument('<name>', 'the schedule’s name (letters, digits, _ . : -)')
    .requiredOption(
      '--cron <expression>',
      'five fields (minute first) or six (second first), e.g. "0 3 * * *"',
    )
    .requiredOption('--kind <kind>', 'job kind (noop, sleep, presentation, …)')
    .option('--time-zone <zone>', 'IANA time zone the expression is read in (default UTC)')
    .option('--payload <json>', 'payload of every job, as JSON', '{}')
    .addOption(new Option('--priority <priority>', 'priority of its jobs').choices(JOB_PRIORITIES))
    .addOption(
      new Option('--catch-up <policy>', 'missed ticks after downtime (default skip)').choices(
        CATCH_UP_POLICIES,
      ),
    )
    .option(
      '--catch-up-limit <n>',
      'most missed ticks `all` queues',
      parseInteger('--catch-up-limit', 1, MAX_CATCH_UP_LIMIT),
    )
    .option('--disabled', 'add it disabled')
    .action(async (name: string, options: AddOptions) => {
      const payload = parsePayload(options.payload ?? '{}');
      await withReelqueue(options, async (app) => {
        const schedule = await app.schedules.create({
          name,
          cron: options.cron,
          kind: options.kind,
          payload,
          enabled: options.disabled !== true,
          ...(options.timeZone !== undefined && { timeZone: options.timeZone }),
          ...(options.priority !== undefined && { priority: options.priority }),
          ...(options.catchUp !== undefined && { catchUp: options.catchUp }),
          ...(options.catchUpLimit !== undefined && { catchUpLimit: options.catchUpLimit }),
        });
        print(
          options,
          scheduleToWire(schedule),
          () => `added ${schedule.name}; next run ${iso(schedule.nextRunAt)}`,
        );
      });
    });
}

function enabledCommand(enabled: boolean): Command {
  return withCommonOptions(new Command(enabled ? 'enable' : 'disable'))
    .description(
      enabled
        ? 'enable a schedule: its ticks start again from now (the time it was off is not caught up)'
        : 'disable a schedule: no tick is queued until it is enabled again',
    )
    .argument('<name>', 'the schedule’s name')
    .action(async (name: string, options: CommonOptions) => {
      await withExistingReelqueue(options, async (app) => {
        const schedule = await app.schedules.update(name, { enabled });
        print(options, scheduleToWire(schedule), () =>
          enabled ? `enabled ${name}; next run ${iso(schedule.nextRunAt)}` : `disabled ${name}`,
        );
      });
    });
}

function removeCommand(): Command {
  return withCommonOptions(new Command('remove'))
    .description('remove a schedule (the jobs it queued stay)')
    .argument('<name>', 'the schedule’s name')
    .action(async (name: string, options: CommonOptions) => {
      await withExistingReelqueue(options, async (app) => {
        await app.schedules.remove(name);
        print(options, { name, deleted: true }, () => `removed ${name}`);
      });
    });
}

export function schedulesCommand(): Command {
  return new Command('schedules')
    .description('list, add, enable, disable and remove schedules of recurring jobs')
    .addCommand(listCommand())
    .addCommand(addCommand())
    .addCommand(enabledCommand(true))
    .addCommand(enabledCommand(false))
    .addCommand(removeCommand());
}
