/**
 * `npm run bench [-- --quick] [--only throughput,pickup] [--systems reelqueue-pg,graphile]`: runs the
 * scenarios, prints Markdown tables (stdout) and writes the figures to bench/results/<time>.json.
 * Progress goes to stderr.
 */
import { buildReelqueue } from './lib/build.js';
import { evaluateGoals } from './lib/goals.js';
import { describeMachine } from './lib/machine.js';
import { parseOptions } from './lib/options.js';
import { renderMarkdown, writeJson, type BenchReport } from './lib/report.js';
import type { ScenarioResult } from './lib/results.js';
import { SCENARIOS } from './scenarios/index.js';
import { SYSTEMS } from './systems/index.js';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const options = parseOptions(process.argv.slice(2));
const startedAt = new Date().toISOString();
const unknownScenario = options.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
const unknownSystem = options.systems.filter((id) => !SYSTEMS.some((s) => s.id === id));
if (unknownScenario.length > 0 || unknownSystem.length > 0) {
  log(
    `unknown scenario(s) ${unknownScenario.join(', ') || '-'} / system(s) ${unknownSystem.join(', ') || '-'}`,
  );
  log(`scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}; systems: ${SYSTEMS.map((s) => s.id).join(', ')}`);
  process.exit(2);
}
if (options.build) buildReelqueue(log);

const machine = await describeMachine();
const profileDir = new URL(`./results/profiles/${startedAt.replace(/[:.]/g, '-')}/`, import.meta.url)
  .pathname;
const context = {
  options,
  systems: SYSTEMS.filter((system) => options.systems.length === 0 || options.systems.includes(system.id)),
  nodeFlags: options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  log,
};

const scenarios: ScenarioResult[] = [];
for (const scenario of SCENARIOS) {
  if (options.only.length > 0 && !options.only.includes(scenario.id)) continue;
  if (scenario.optIn === true && !options.only.includes(scenario.id)) continue;
  log(`— ${scenario.title}`);
  try {
    scenarios.push(await scenario.run(context));
  } catch (error) {
    log(
      `scenario ${scenario.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    scenarios.push({
      id: scenario.id,
      title: scenario.title,
      notes: [`FAILED: ${String(error)}`],
      measurements: [],
    });
  }
}

const report: BenchReport = {
  startedAt,
  mode: options.mode,
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  machine,
  scenarios,
  goals: evaluateGoals(scenarios),
};
process.stdout.write(renderMarkdown(report));
log(`figures written to ${writeJson(report)}`);
if (options.cpuProf) log(`CPU profiles of the worker processes in ${profileDir}`);
process.exit(0);
