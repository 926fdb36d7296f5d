/** Command-line options of `npm run chaos`, and the sizes of a quick and a full run. */
import { parseArgs } from 'node:util';

export type ChaosDb = 'sqlite' | 'postgres';

export interface ChaosSizes {
  /** kill-workers: jobs, worker processes, kills. */
  killJobs: number;
  killWorkers: number;
  kills: number;
  /** sigstop: jobs held by the frozen worker. */
  frozenJobs: number;
  /** postgres-restart: jobs per fault, and how long the "stopped" fault keeps the server down. */
  restartJobs: number;
  stoppedSeconds: number;
  /** redis-outage: jobs whose events are timed in each phase. */
  sseJobsPerPhase: number;
  /** cancel-ffmpeg: renders cancelled while ffmpeg runs. */
  cancels: number;
  /** drain: jobs that finish within the grace period and jobs that outlast it. */
  drainShort: number;
  drainLong: number;
  /** two-deployments: renders of the first deployment while the second restarts. */
  renders: number;
  /** schedules: one-second ticks to queue, and scheduler processes killed on the way. */
  scheduleTicks: number;
  scheduleKills: number;
}

export interface ChaosOptions {
  mode: 'quick' | 'full';
  sizes: ChaosSizes;
  only: readonly string[];
  dbs: readonly ChaosDb[];
  build: boolean;
}

const QUICK: ChaosSizes = {
  killJobs: 300,
  killWorkers: 3,
  kills: 4,
  frozenJobs: 2,
  restartJobs: 200,
  stoppedSeconds: 10,
  sseJobsPerPhase: 5,
  cancels: 1,
  drainShort: 2,
  drainLong: 2,
  renders: 2,
  scheduleTicks: 40,
  scheduleKills: 3,
};

const FULL: ChaosSizes = {
  killJobs: 1200,
  killWorkers: 4,
  kills: 12,
  frozenJobs: 4,
  restartJobs: 600,
  stoppedSeconds: 60,
  sseJobsPerPhase: 20,
  cancels: 3,
  drainShort: 4,
  drainLong: 4,
  renders: 6,
  scheduleTicks: 200,
  scheduleKills: 10,
};

export const USAGE = `npm run chaos -- [--quick] [--only a,b] [--db sqlite|postgres] [--no-build]`;

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

export function parseOptions(argv: readonly string[]): ChaosOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      db: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const dbs = list(values.db);
  for (const db of dbs) {
    if (db !== 'sqlite' && db !== 'postgres') throw new Error(`--db takes sqlite or postgres, got ${db}`);
  }
  return {
    mode: values.quick ? 'quick' : 'full',
    sizes: values.quick ? QUICK : FULL,
    only: list(values.only),
    dbs: dbs.length > 0 ? (dbs as ChaosDb[]) : ['sqlite', 'postgres'],
    build: !values['no-build'],
  };
}
