/** `reelqueue recover`, `cleanup` and `stats`: operations on the whole queue. */
import { ReelqueueError } from '../../errors.js';
import { cleanupStatuses, FINISHED_STATUSES } from '../../jobs/cleanup-filter.js';
import { Command } from 'commander';
import { ALL_JOBS } from '../../jobs/store.js';
import {
  parseNumber,
  print,
  withCommonOptions,
  withExistingReelqueue,
  withReelqueue,
  type CommonOptions,
} from '../context.js';

export function recoverCommand(): Command {
  return withCommonOptions(new Command('recover'))
    .description('re-queue running jobs whose worker stopped heartbeating')
    .option(
      '--timeout-minutes <m>',
      'also re-queue jobs whose last heartbeat is older than this, whatever their lease says',
      parseNumber('--timeout-minutes', 0, 60 * 24 * 30),
    )
    .action(async (options: CommonOptions & { timeoutMinutes?: number }) => {
      await withReelqueue(options, async (app) => {
        const expired = await app.jobs.recoverExpiredLeases();
        const stale = await app.jobs.recoverStale(
          options.timeoutMinutes ?? app.config.orphanedJobTimeoutMinutes,
        );
        const outcome = {
          requeued: [...expired.requeued, ...stale.requeued],
          failed: [...expired.failed, ...stale.failed],
          cancelled: [...expired.cancelled, ...stale.cancelled],
        };
        print(
          options,
          outcome,
          () =>
            `re-queued ${outcome.requeued.length}, failed ${outcome.failed.length} (out of retries), cancelled ${outcome.cancelled.length}`,
        );
      });
    });
}

export function cleanupCommand(): Command {
  return withCommonOptions(new Command('cleanup'))
    .description('delete finished jobs older than the given age, optionally of some statuses only')
    .option(
      '--max-age-hours <h>',
      'age in hours since the job finished (default CLEANUP_MAX_AGE_HOURS)',
      parseNumber('--max-age-hours', 0, 1e6),
    )
    .option(
      '--days <d>',
      'instead: jobs created more than d days ago (seed 002)',
      parseNumber('--days', 0, 3650),
    )
    .option('--status <list>', 'comma-separated finished statuses to delete (default: all finished)')
    .action(async (options: CommonOptions & { maxAgeHours?: number; days?: number; status?: string }) => {
      await withReelqueue(options, async (app) => {
        if (options.maxAgeHours !== undefined && options.days !== undefined) {
          throw new ReelqueueError('VALIDATION_FAILED', 'Give --max-age-hours or --days, not both');
        }
        const statuses = cleanupStatuses(options.status?.split(',').map((s) => s.trim()));
        const ageFrom = options.days === undefined ? 'completed' : 'created';
        const hours =
          options.days !== undefined
            ? options.days * 24
            : (options.maxAgeHours ?? app.config.cleanupMaxAgeHours);
        const deleted = await app.jobs.cleanup(hours, ALL_JOBS, { statuses: statuses ?? undefined, ageFrom });
        const which = statuses ? statuses.join('/') : 'finished';
        print(
          options,
          {
            deleted,
            maxAgeHours: hours,
            ageFrom: `${ageFrom}_at`,
            statuses: statuses ?? [...FINISHED_STATUSES],
          },
          () => `deleted ${deleted} ${which} jobs ${ageFrom} more than ${hours} h ago`,
        );
      });
    });
}

export function statsCommand(): Command {
  return withCommonOptions(new Command('stats'))
    .description('health and statistics of the queue')
    .option('--hours <h>', 'statistics window in hours', parseNumber('--hours', 0.01, 24 * 365), 24)
    .option('--rebuild', 'count the statistics rollups again from the jobs first')
    .action(async (options: CommonOptions & { hours: number; rebuild?: boolean }) => {
      await withExistingReelqueue(options, async (app) => {
        if (options.rebuild) await app.jobs.rebuildRollups();
        const [health, statistics] = await Promise.all([
          app.jobs.health(ALL_JOBS),
          app.jobs.statistics(options.hours, ALL_JOBS),
        ]);
        print(options, { health, statistics }, () => {
          const t = statistics.processingTimeSeconds;
          const fmt = (n: number | null) => (n === null ? '-' : `${n.toFixed(3)} s`);
          return [
            `jobs: ${health.total} (pending ${health.pending}, running ${health.running}, completed ${health.completed}, failed ${health.failed}, cancelled ${health.cancelled}, timeout ${health.timeout}, waiting ${health.waiting})`,
            `failure rate: ${health.failureRate}%`,
            `oldest pending: ${health.oldestPendingJobAgeMinutes === null ? '-' : `${health.oldestPendingJobAgeMinutes} min`}`,
            `last ${options.hours} h: ${statistics.total} jobs, processing p50 ${fmt(t.p50)}, p95 ${fmt(t.p95)}, p99 ${fmt(t.p99)}, max ${fmt(t.max)}`,
            `priorities: ${Object.entries(statistics.priorityDistribution)
              .map(([p, n]) => `${p} ${n}`)
              .join(', ')}`,
          ].join('\n');
        });
      });
    });
}
