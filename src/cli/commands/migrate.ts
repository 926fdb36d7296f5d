/** `reelqueue migrate`: applies pending migrations and says what it did. */
import { Command } from 'commander';
import { openDatabase } from '../../db/open-database.js';
import { configFrom, print, withCommonOptions, type CommonOptions } from '../context.js';

export function migrateCommand(): Command {
  return withCommonOptions(new Command('migrate'))
    .description('apply pending database migrations (safe to run from several processes at once)')
    .option('--force', 'accept edited or unknown migrations instead of stopping')
    .action(async (options: CommonOptions & { force?: boolean }) => {
      const config = configFrom(options);
      const database = await openDatabase(config);
      try {
        const report = await database.migrate({ force: options.force ?? false });
        print(options, { dialect: database.dialect, ...report }, () => {
          const lines = report.applied.map((m) => `applied ${m.name}`);
          for (const version of report.checksumsUpdated)
            lines.push(`accepted the edited migration ${version}`);
          lines.push(
            report.applied.length === 0
              ? `${database.dialect}: schema is up to date (${report.alreadyApplied} migrations applied before)`
              : `${database.dialect}: applied ${report.applied.length} migration(s); ${report.alreadyApplied} were already applied`,
          );
          return lines.join('\n');
        });
      } finally {
        await database.close();
      }
    });
}
