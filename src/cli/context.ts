/** What every CLI command shares: settings from flags and environment, output, error reporting. */
import { Command, Option } from 'commander';
import { createReelqueue, type Reelqueue, type ReelqueueOptions } from '../app.js';
import { loadConfig, type Config, type SettingsInput } from '../config.js';
import { outageCode } from '../db/outage.js';
import { describeError, isReelqueueError, ReelqueueError } from '../errors.js';

export interface CommonOptions {
  databaseUrl?: string;
  json?: boolean;
}

export function withCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--database-url <url>', 'database to use (sqlite:PATH or postgres://…)').env('DATABASE_URL'),
    )
    .option('--json', 'print machine-readable JSON');
}

export function configFrom(options: CommonOptions, overrides: SettingsInput = {}): Config {
  return loadConfig(process.env, { DATABASE_URL: options.databaseUrl, ...overrides });
}

/** Opens reelqueue for one command and closes it afterwards, whatever happens. */
export async function withReelqueue<T>(
  options: CommonOptions,
  work: (app: Reelqueue) => Promise<T>,
  settings: SettingsInput = {},
  appOptions: ReelqueueOptions = {},
): Promise<T> {
  const app = await createReelqueue(configFrom(options, settings), appOptions);
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** For commands that only read: a database that is not there is refused, never created. */
export function withExistingReelqueue<T>(
  options: CommonOptions,
  work: (app: Reelqueue) => Promise<T>,
): Promise<T> {
  return withReelqueue(options, work, {}, { databaseMustExist: true });
}

export function print(options: CommonOptions, value: unknown, text: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}

/**
 * Reports an error with its stable code and exits non-zero. With `--json` the report is one JSON line
 * on stderr, shaped like the HTTP API's errors: `{"error":{"code","message","details"}}`.
 */
export function fail(thrown: unknown): never {
  const error = explained(thrown);
  const code = isReelqueueError(error) ? error.code : 'UNEXPECTED';
  if (process.argv.includes('--json')) {
    const details = isReelqueueError(error) ? (error.details ?? null) : null;
    process.stderr.write(`${JSON.stringify({ error: { code, message: describeError(error), details } })}\n`);
    process.exit(1);
  }
  process.stderr.write(`reelqueue: ${code}: ${describeError(error)}\n`);
  if (isReelqueueError(error) && error.details && process.env.LOG_LEVEL === 'debug') {
    process.stderr.write(`${JSON.stringify(error.details, null, 2)}\n`);
  }
  process.exit(1);
}

/** SQLSTATE invalid_catalog_name: the database named in the URL does not exist. */
const NO_SUCH_DATABASE = '3D000';

/**
 * What the system or a driver threw, as one of our errors with a stable code and a sentence that
 * says what to do; matched by code, never by message. Our own errors pass through as they are.
 */
export function explained(error: unknown): unknown {
  if (isReelqueueError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    const { address, port } = error as { address?: string; port?: number };
    return new ReelqueueError(
      'PORT_IN_USE',
      `Port ${port ?? '?'} on ${address ?? 'this host'} is already in use: stop the program using it, ` +
        'or choose another port with --port (or PORT)',
      { port, address },
      { cause: error },
    );
  }
  if (code === NO_SUCH_DATABASE) {
    return new ReelqueueError(
      'DATABASE_NOT_FOUND',
      'The database named in DATABASE_URL does not exist: create it (e.g. createdb NAME) or fix the URL',
      undefined,
      { cause: error },
    );
  }
  const outage = outageCode(error);
  if (outage) {
    return new ReelqueueError(
      'DATABASE_UNAVAILABLE',
      `Cannot reach the database (${outage}): check DATABASE_URL (or --database-url) and that ` +
        'the database server is running',
      { reason: outage },
      { cause: error },
    );
  }
  return error;
}

export function parseInteger(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
    }
    return n;
  };
}

export function parseNumber(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new Error(`${name} must be a number from ${min} to ${max}, got ${value}`);
    }
    return n;
  };
}
