/**
 * `npm run chaos [-- --quick] [--only kill-workers,drain] [--db sqlite|postgres]`: the fault battery.
 * Each scenario starts real `reelqueue` processes on a database of its own, does them harm (kill -9,
 * SIGSTOP, a database or Redis going away, a second deployment on the host) and measures what
 * survived. PostgreSQL and Redis are throwaway servers on free ports, never the machine's. Prints
 * Markdown tables (stdout) and writes the figures to bench/results/chaos-<time>.json; progress on stderr.
 */
import { buildReelqueue } from '../lib/build.js';
import { ThrowawayPostgres } from '../../test/support/throwaway-postgres.js';
import { parseOptions, USAGE } from './options.js';
import { renderMarkdown, writeJson, type ScenarioRun } from './results.js';
import { SCENARIOS } from './scenarios/index.js';

const log = (message: string) => process.stderr.write(`[chaos] ${message}\n`);

let options: ReturnType<typeof parseOptions>;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  log(USAGE);
  process.exit(2);
}
const unknown = options.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
if (unknown.length > 0) {
  log(`unknown scenario(s) ${unknown.join(', ')}; scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  log(USAGE);
  process.exit(2);
}
if (options.build) buildReelqueue(log);

const startedAt = new Date().toISOString();
const runs: ScenarioRun[] = [];
for (const db of options.dbs) {
  const chosen = SCENARIOS.filter(
    (s) => s.dbs.includes(db) && (options.only.length === 0 || options.only.includes(s.id)),
  );
  if (chosen.length === 0) continue;
  const postgres = db === 'postgres' ? await ThrowawayPostgres.start() : null;
  if (postgres) log(`throwaway PostgreSQL on port ${postgres.port}`);
  try {
    for (const scenario of chosen) {
      log(`— ${scenario.title} (${db})`);
      const began = Date.now();
      try {
        const target = postgres
          ? { dialect: 'postgres' as const, url: postgres.url }
          : { dialect: 'sqlite' as const };
        const outcome = await scenario.run({
          db,
          target,
          postgres,
          sizes: options.sizes,
          log: (message) => log(`  ${scenario.id}/${db}: ${message}`),
        });
        runs.push({
          scenario: scenario.id,
          title: scenario.title,
          db,
          figures: outcome.figures,
          notes: outcome.notes ?? [],
        });
      } catch (error) {
        log(
          `scenario ${scenario.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        runs.push({
          scenario: scenario.id,
          title: scenario.title,
          db,
          figures: [{ name: 'scenario ran', value: 'no', expect: 1 }],
          notes: [`FAILED: ${error instanceof Error ? error.message : String(error)}`],
        });
      }
      log(`  took ${((Date.now() - began) / 1000).toFixed(1)} s`);
    }
  } finally {
    postgres?.destroy();
  }
}

process.stdout.write(renderMarkdown(runs, options, startedAt));
log(`figures written to ${writeJson(runs, options, startedAt)}`);
process.exit(0);
