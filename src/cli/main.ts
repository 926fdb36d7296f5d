#!/usr/bin/env node
/** The `reelqueue` command. */
import { Command } from 'commander';
import { jobsCommand } from './commands/jobs.js';
import { cleanupCommand, recoverCommand, statsCommand } from './commands/maintenance.js';
import { migrateCommand } from './commands/migrate.js';
import { renderCommand } from './commands/render.js';
import { schedulesCommand } from './commands/schedules.js';
import { keysCommand, usersCommand } from './commands/users.js';
import { serveCommand } from './commands/serve.js';
import { workerCommand } from './commands/worker.js';
import { fail } from './context.js';

const program = new Command('reelqueue')
  .description('durable background jobs that turn lesson scripts into narrated videos')
  .version('0.1.0')
  .addCommand(migrateCommand())
  .addCommand(workerCommand())
  .addCommand(renderCommand())
  .addCommand(serveCommand())
  .addCommand(jobsCommand())
  .addCommand(recoverCommand())
  .addCommand(cleanupCommand())
  .addCommand(statsCommand())
  .addCommand(usersCommand())
  .addCommand(keysCommand())
  .addCommand(schedulesCommand());

// Every command's failure ends here: its code and message on stderr, exit status 1.
await program.parseAsync(process.argv).catch(fail);
