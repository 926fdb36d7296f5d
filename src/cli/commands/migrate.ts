/** `reelqueue migrate`: applies pending migrations and says what it did. */
import { Command } from 'commander';
import { parseDatabaseUrl } from '../../db/database-url.js';
import { openDatabase } from '../../db/open-database.js';
import { ReelqueueError } from '../../errors.js';
import { configFrom, print, withCommonOptions, type CommonOptions } from '../context.js';

interface MigrateOptions extends CommonOptions {
  force?: boolean;
  /** Seed 003's `migrate_presentation_jobs.py --db-path FILE`: a SQLite file. */
  dbPath?: string;
  verbose?: boolean;
}

export function migrateCommand(): Command {
  return withCommonOptions(new Command('migrate'))
    .description('apply pending database migrations (safe to run from several processes at once)')
    .option('--force', 'accept edited or unknown migrations instead of stopping')
    .option(
      '--db-path <file>',
      'the SQLite file to migrate (seed 003 spelling of --database-url sqlite:FILE)',
    )
    .option('--verbose', 'also say which database, and list the migrations already applied')
    .action(async (options: MigrateOptions) => {
      const config = configFrom({ ...options, databaseUrl: databaseUrlOf(options) });
      const database = await openDatabase(config);
      try {
        const report = await database.migrate({ force: options.force ?? false });
        print(options, { dialect: database.dialect, ...report }, () => {
          const lines = options.verbose ? [`database: ${describeTarget(config.databaseUrl)}`] : [];
          lines.push(...report.applied.map((m) => `applied ${m.name}`));
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

/** `--db-path FILE` is `--database-url sqlite:FILE`; both at once is refused, never one ignored. */
function databaseUrlOf(options: MigrateOptions): string | undefined {
  if (options.dbPath === undefined) return options.databaseUrl;
  const fromPath = `sqlite:${options.dbPath}`;
  if (options.databaseUrl !== undefined && options.databaseUrl !== process.env.DATABASE_URL) {
    throw new ReelqueueError(
      'CONFIG_INVALID',
      'Give --db-path or --database-url, not both: --db-path FILE is --database-url sqlite:FILE',
    );
  }
  return fromPath;
}

/** Where the database is, without a password. */
function describeTarget(url: string): string {
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'sqlite') return `sqlite file ${target.filename}`;
  const parsed = new URL(target.connectionString);
  parsed.password = '';
  return `postgres ${parsed.host}${parsed.pathname}`;
}
