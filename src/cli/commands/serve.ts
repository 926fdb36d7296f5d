/** `reelqueue serve`: the HTTP API with workers in the same process (or API only). */
import { Command } from 'commander';
import { createReelqueue } from '../../app.js';
import { startService } from '../../api/start.js';
import { removeStaleWorkDirs } from '../../render/work-dirs.js';
import { configFrom, fail, parseInteger, print, withCommonOptions, type CommonOptions } from '../context.js';

interface ServeOptions extends CommonOptions {
  port?: number;
  host?: string;
  worker: boolean;
  workers?: number;
  concurrency?: number;
}

export function serveCommand(): Command {
  return withCommonOptions(new Command('serve'))
    .description('serve the HTTP API (and run workers in the same process unless --no-worker)')
    .option('-p, --port <port>', 'port (default PORT, 8080)', parseInteger('--port', 0, 65_535))
    .option('--host <host>', 'address to listen on (default HOST, 127.0.0.1)')
    .option('--no-worker', 'API only: run no workers in this process')
    .option(
      '--workers <n>',
      'workers in this process (default SERVE_WORKERS, 1)',
      parseInteger('--workers', 0, 64),
    )
    .option('-c, --concurrency <n>', 'jobs each worker runs at once', parseInteger('--concurrency', 1, 1000))
    .action(async (options: ServeOptions) => {
      const config = configFrom(options, {
        PORT: options.port,
        HOST: options.host,
        WORKER_CONCURRENCY: options.concurrency,
      });
      const app = await createReelqueue(config, { waitForDatabase: true });
      await removeStaleWorkDirs(await app.database.deploymentId());
      const service = await startService(app, {
        workers: options.worker ? (options.workers ?? config.serveWorkers) : 0,
      });
      // A busy port (PORT_IN_USE, context.ts): hand back what the workers claimed before exiting.
      const address = await service.server
        .listen({ port: config.port, host: config.host })
        .catch(async (error: unknown) => {
          await service.close().catch(() => undefined);
          throw error;
        });
      const url = address.replace('0.0.0.0', '127.0.0.1');
      print(
        options,
        {
          event: 'serving',
          url,
          database: app.database.dialect,
          workers: service.workers.length,
          adminKey: service.admin.key ?? null,
        },
        () =>
          [
            `reelqueue serving on ${url} (${app.database.dialect}, ${service.workers.length} worker(s)); API docs at ${url}/docs`,
            service.admin.key
              ? `admin API key (shown once, also in ${service.admin.keyFile}): ${service.admin.key}`
              : service.admin.created
                ? 'admin API key: the one in REELQUEUE_ADMIN_KEY'
                : '',
          ]
            .filter(Boolean)
            .join('\n'),
      );
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        void service
          .close()
          .then(() => process.exit(0))
          .catch(fail);
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
    });
}
