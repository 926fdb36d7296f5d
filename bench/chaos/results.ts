/** What a chaos scenario reports, and the Markdown table `npm run chaos` prints. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { ChaosDb, ChaosOptions } from './options.js';

/** One figure of one scenario on one database; `expect` is the value a sound queue shows. */
export interface Figure {
  name: string;
  value: number | string;
  unit?: string;
  expect?: number;
}

export interface ScenarioRun {
  scenario: string;
  title: string;
  db: ChaosDb;
  figures: Figure[];
  notes: string[];
}

function show(figure: Figure | undefined): string {
  if (!figure) return '—';
  const value =
    typeof figure.value === 'number'
      ? Number.isInteger(figure.value)
        ? String(figure.value)
        : figure.value.toFixed(figure.value < 10 ? 2 : 0)
      : figure.value;
  const text = `${value}${figure.unit ? ` ${figure.unit}` : ''}`;
  return figure.expect !== undefined && figure.value !== figure.expect ? `**${text}** ⚠` : text;
}

// The code measured: read when the run starts (later commits during a long run do not count).
const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain', 'src'], { encoding: 'utf8' }).stdout.trim() !== '';

/** One table per scenario: a row per figure, a column per database it ran on. */
export function renderMarkdown(
  runs: readonly ScenarioRun[],
  options: ChaosOptions,
  startedAt: string,
): string {
  const lines = [
    `## Fault battery (${options.mode}), ${startedAt}`,
    '',
    `commit ${head || 'unknown'}${dirty ? ' (src/ has uncommitted changes)' : ''}, ${cpus().length} cores, Node ${process.version}`,
    '',
    'A figure in **bold ⚠** differs from what a sound queue shows.',
    '',
  ];
  const scenarios = [...new Set(runs.map((run) => run.scenario))];
  for (const id of scenarios) {
    const mine = runs.filter((run) => run.scenario === id);
    const dbs = mine.map((run) => run.db);
    const names = [...new Set(mine.flatMap((run) => run.figures.map((f) => f.name)))];
    lines.push(`### ${mine[0]?.title ?? id} (\`${id}\`)`, '');
    lines.push(`| figure | ${dbs.join(' | ')} |`, `|---|${dbs.map(() => '---:').join('|')}|`);
    for (const name of names) {
      lines.push(
        `| ${name} | ${mine.map((run) => show(run.figures.find((f) => f.name === name))).join(' | ')} |`,
      );
    }
    const notes = mine.flatMap((run) => run.notes.map((note) => `- ${run.db}: ${note}`));
    lines.push('', ...notes, '');
  }
  return `${lines.join('\n')}\n`;
}

export function writeJson(runs: readonly ScenarioRun[], options: ChaosOptions, startedAt: string): string {
  const dir = new URL('../results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = `${dir}chaos-${startedAt.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ startedAt, mode: options.mode, runs }, null, 2));
  return file;
}
