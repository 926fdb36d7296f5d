/** The README's command table names every command and option that commander defines. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { jobsCommand } from '../../src/cli/commands/jobs.js';
import { cleanupCommand, recoverCommand, statsCommand } from '../../src/cli/commands/maintenance.js';
import { migrateCommand } from '../../src/cli/commands/migrate.js';
import { renderCommand } from '../../src/cli/commands/render.js';
import { schedulesCommand } from '../../src/cli/commands/schedules.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { keysCommand, usersCommand } from '../../src/cli/commands/users.js';
import { workerCommand } from '../../src/cli/commands/worker.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Options every command takes, described once above the table. */
const COMMON = new Set(['--database-url', '--json']);

/** A command's spellings of each option: its long name, and its short one if it has one. */
function leaves(command: Command, prefix: string[] = []): { path: string; options: string[][] }[] {
  const path = [...prefix, command.name()];
  if (command.commands.length > 0) return command.commands.flatMap((sub) => leaves(sub, path));
  const options = command.options
    .filter((option) => option.long !== undefined && !COMMON.has(option.long))
    .map((option) => [option.long ?? '', ...(option.short ? [option.short] : [])]);
  return [{ path: path.join(' '), options }];
}

const commands = [
  serveCommand(),
  renderCommand(),
  migrateCommand(),
  workerCommand(),
  jobsCommand(),
  recoverCommand(),
  cleanupCommand(),
  statsCommand(),
  usersCommand(),
  keysCommand(),
  schedulesCommand(),
].flatMap((command) => leaves(command));

/** The README's table rows: the command cell, whose text starts with the command's words. */
const rows = readme
  .slice(readme.indexOf('## The command line'))
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => line.slice(3, line.indexOf('` |')));

describe('README command table', () => {
  it.each(commands.map((c) => [c.path, c.options] as const))(
    'documents `%s` and its options',
    (path, options) => {
      const row = rows.find((cell) => cell === path || cell.startsWith(`${path} `));
      expect(row, `no row for ${path}`).toBeDefined();
      for (const spellings of options) {
        const words = row?.split(/[\s[\]|]+/) ?? [];
        expect(
          spellings.some((spelling) => words.includes(spelling)),
          `${path} ${spellings.join(' or ')}`,
        ).toBe(true);
      }
    },
  );

  it('says every command takes --database-url and --json', () => {
    expect(readme).toContain('Every command takes `--database-url` (or `DATABASE_URL`) and `--json`');
  });
});
