/** Command-line options of `npm run bench`, and the sizes each mode uses. */
import { parseArgs } from 'node:util';

export interface Sizes {
  /** Repetitions of every measurement (the table shows their median and range). */
  runs: number;
  throughputJobs: number;
  throughputConcurrency: readonly number[];
  pickupJobs: number;
  /** Samples for peers that only poll (their pickup waits for the poll interval). */
  pickupJobsPolling: number;
  sequentialAdds: number;
  bulkAdds: number;
  scaleRows: readonly number[];
  /** claim + complete and status reads per run, per table size. */
  scaleOperations: number;
  /** Renders of the example lesson (render scenario); --runs sets it too. */
  renderRuns: number;
  /** autocannon connections and seconds per route and run (http scenario). */
  httpConnections: number;
  httpSeconds: number;
  /** Size of the stored video (MiB) and how many clients download it at once (streaming scenario). */
  streamingMegabytes: number;
  streamingClients: number;
  /** Jobs of 5 ms each fleet processes, and jobs added one at a time to the idle fleet (fleet scenario). */
  fleetJobs: number;
  fleetPickups: number;
}

export interface BenchOptions {
  mode: 'quick' | 'full';
  sizes: Sizes;
  /** Scenario ids to run; empty means all. */
  only: readonly string[];
  /** System ids to run; empty means all. */
  systems: readonly string[];
  build: boolean;
  /** Write V8 CPU profiles of the worker processes to bench/results/profiles/. */
  cpuProf: boolean;
  /** Fleet ids the fleet scenario runs (`fleet-100-pgbouncer-pool10`, …); empty means all. */
  fleets: readonly string[];
}

const QUICK: Sizes = {
  runs: 3,
  throughputJobs: 5_000,
  throughputConcurrency: [10, 50],
  pickupJobs: 200,
  pickupJobsPolling: 20,
  sequentialAdds: 2_000,
  bulkAdds: 20_000,
  scaleRows: [10_000, 100_000],
  scaleOperations: 300,
  renderRuns: 2,
  httpConnections: 50,
  httpSeconds: 5,
  streamingMegabytes: 100,
  streamingClients: 20,
  fleetJobs: 2_000,
  fleetPickups: 20,
};

const FULL: Sizes = {
  runs: 5,
  throughputJobs: 20_000,
  throughputConcurrency: [10, 50],
  pickupJobs: 200,
  pickupJobsPolling: 40,
  sequentialAdds: 10_000,
  bulkAdds: 20_000,
  scaleRows: [10_000, 1_000_000],
  scaleOperations: 500,
  renderRuns: 3,
  httpConnections: 50,
  httpSeconds: 10,
  streamingMegabytes: 500,
  streamingClients: 20,
  fleetJobs: 20_000,
  fleetPickups: 50,
};

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

const positiveInts = (value: string, name: string): number[] =>
  list(value).map((part) => {
    const n = Number(part.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes whole numbers, got ${part}`);
    return n;
  });

export const USAGE = `npm run bench -- [--quick] [--only a,b] [--systems x,y] [--runs N] [--jobs N]
  [--concurrency 10,50] [--scale-rows 10000,1000000] [--fleets fleet-1-direct-pool10,…] [--fleet-jobs N]
  [--no-build] [--cpu-prof]`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      systems: { type: 'string' },
      runs: { type: 'string' },
      jobs: { type: 'string' },
      concurrency: { type: 'string' },
      'scale-rows': { type: 'string' },
      fleets: { type: 'string' },
      'fleet-jobs': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const mode = values.quick ? 'quick' : 'full';
  const sizes: Sizes = { ...(mode === 'quick' ? QUICK : FULL) };
  if (values.runs) sizes.runs = positiveInts(values.runs, '--runs')[0] ?? sizes.runs;
  if (values.runs) sizes.renderRuns = sizes.runs;
  if (values.jobs) sizes.throughputJobs = positiveInts(values.jobs, '--jobs')[0] ?? sizes.throughputJobs;
  if (values.concurrency) sizes.throughputConcurrency = positiveInts(values.concurrency, '--concurrency');
  if (values['scale-rows']) sizes.scaleRows = positiveInts(values['scale-rows'], '--scale-rows');
  if (values['fleet-jobs'])
    sizes.fleetJobs = positiveInts(values['fleet-jobs'], '--fleet-jobs')[0] ?? sizes.fleetJobs;
  return {
    mode,
    sizes,
    only: list(values.only),
    systems: list(values.systems),
    build: !values['no-build'],
    cpuProf: values['cpu-prof'],
    fleets: list(values.fleets),
  };
}
