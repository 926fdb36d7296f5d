/** `reelqueue worker`: runs jobs until SIGTERM or SIGINT, then shuts down gracefully. */
import { Command } from 'commander';
import { createReelqueue } from '../../app.js';
import { configFrom, fail, parseInteger, print, withCommonOptions, type CommonOptions } from '../context.js';
import { removeStaleWorkDirs } from '../../render/work-dirs.js';

interface WorkerOptions extends CommonOptions {
  concurrency?: number;
  kinds?: string;
}

export function workerCommand(): Command {
  return withCommonOptions(new Command('worker'))
    .description('run jobs from the queue until stopped (SIGTERM: finish or release running jobs, then exit)')
    .option(
      '-c, --concurrency <n>',
      'jobs run at once by this process',
      parseInteger('--concurrency', 1, 1000),
    )
    .option('--kinds <list>', 'comma-separated job kinds to run (default: all)')
    .action(async (options: WorkerOptions) => {
      const config = configFrom(options, { WORKER_CONCURRENCY: options.concurrency });
      const app = await createReelqueue(config, { waitForDatabase: true });
      await removeStaleWorkDirs(await app.database.deploymentId());
      const reaper = app.createReaper();
      const worker = app.createWorker(
        options.kinds ? { kinds: options.kinds.split(',').map((kind) => kind.trim()) } : {},
      );
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        app.logger.info({ signal }, 'stopping: no new jobs; running jobs get the grace period');
        void (async () => {
          await scheduler.stop();
          await worker.stop();
          await reaper.stop();
          await app.close();
          print(
            options,
            { event: 'worker_stopped', workerId: worker.id },
            () => `worker ${worker.id} stopped`,
          );
          process.exit(0);
        })().catch(fail);
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
      reaper.start();
      app.createCleanupScheduler(worker.id).start();
      const scheduler = app.createScheduler(worker.id);
      scheduler.start();
      app.createRollupFolder().start();
      worker.start();
      print(
        options,
        {
          event: 'worker_started',
          workerId: worker.id,
          concurrency: config.workerConcurrency,
          pid: process.pid,
        },
        () =>
          `worker ${worker.id} started (concurrency ${config.workerConcurrency}, ${app.database.dialect})`,
      );
    });
}
