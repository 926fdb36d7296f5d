/** What every CLI command shares: settings from flags and environment, output, error reporting. */
import { Command, Option } from 'commander';
import { createReelqueue, type Reelqueue, type ReelqueueOptions } from '../app.js';
import { loadConfig, type Config, type SettingsInput } from '../config.js';
import { describeError, isReelqueueError } from '../errors.js';

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

export function print(options: CommonOptions, value: unknown, text: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}

/** Reports an error with its stable code and exits non-zero. */
export function fail(error: unknown): never {
  const code = isReelqueueError(error) ? error.code : 'UNEXPECTED';
  process.stderr.write(`reelqueue: ${code}: ${describeError(error)}\n`);
  if (isReelqueueError(error) && error.details && process.env.LOG_LEVEL === 'debug') {
    process.stderr.write(`${JSON.stringify(error.details, null, 2)}\n`);
  }
  process.exit(1);
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
