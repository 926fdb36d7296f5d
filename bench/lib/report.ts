/** The Markdown tables printed at the end of a run, and the JSON written to bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { GoalOutcome } from './goals.js';
import type { MachineInfo } from './machine.js';
import type { ScenarioResult, SummarizedMeasurement } from './results.js';

export interface BenchReport {
  startedAt: string;
  mode: 'quick' | 'full';
  command: string;
  machine: MachineInfo;
  scenarios: ScenarioResult[];
  goals: GoalOutcome[];
}

function number(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '—';
  // Latencies, and small figures such as speeds in × real time and ratios, keep their decimals.
  if (unit === 'ms' || Math.abs(value) < 100) return value.toFixed(Math.abs(value) < 10 ? 2 : 1);
  return Math.round(value).toLocaleString('en');
}

function row(m: SummarizedMeasurement): string {
  const ratio =
    m.ratioToBestPeer === null ? '' : `**${m.ratioToBestPeer.toFixed(2)}×** (vs ${m.bestPeer ?? '?'})`;
  const range = m.samples.length > 1 ? `${number(m.min, m.unit)}–${number(m.max, m.unit)}` : '';
  return `| ${m.metric} | ${m.label} | ${number(m.median, m.unit)} ${m.unit} | ${range} | ${ratio} |`;
}

export function scenarioTable(result: ScenarioResult): string {
  const lines = [
    `### ${result.title}`,
    '',
    '| metric | system | median | min–max | reelqueue ÷ best peer |',
    '|---|---|---:|---:|---|',
    ...result.measurements.map(row),
    '',
    ...result.notes.map((note) => `- ${note}`),
  ];
  return lines.join('\n');
}

export function goalsTable(goals: readonly GoalOutcome[]): string {
  const status = (met: boolean | null) => (met === null ? '—' : met ? 'met' : '**not met**');
  return [
    '### Goals (issue 6)',
    '',
    '| goal | target | measured | status |',
    '|---|---|---|---|',
    ...goals.map((g) => `| ${g.goal} | ${g.target} | ${g.measured} | ${status(g.met)} |`),
  ].join('\n');
}

export function machineSummary(machine: MachineInfo): string {
  const peers = Object.entries(machine.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const pgSettings = Object.entries(machine.postgresSettings)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  return [
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB; Node ${machine.node}`,
    `PostgreSQL ${machine.postgres} (${pgSettings}); Redis ${machine.redis} (${machine.redisPersistence})`,
    `Packages: ${peers}`,
    `reelqueue: ${machine.git.head}${machine.git.srcChanged ? ' + uncommitted changes in src/' : ''}`,
  ].join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  return [
    `## Benchmarks — ${report.mode} mode, ${report.startedAt}`,
    '',
    '```',
    `$ ${report.command}`,
    machineSummary(report.machine),
    '```',
    '',
    'Ratio: reelqueue ÷ best peer measured in the same run; for jobs/s above 1 is better, for latencies below 1 is better.',
    '',
    ...report.scenarios.flatMap((scenario) => [scenarioTable(scenario), '']),
    goalsTable(report.goals),
    '',
  ].join('\n');
}

/** Writes the report as bench/results/<timestamp>.json and returns the path. */
export function writeJson(report: BenchReport): string {
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${report.startedAt.replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file.pathname;
}
