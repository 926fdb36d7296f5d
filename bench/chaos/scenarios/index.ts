/** Every chaos scenario, in the order `npm run chaos` runs them. */
import type { ChaosScenario } from '../scenario.js';
import { cancelFfmpeg } from './cancel-ffmpeg.js';
import { crashRetries } from './crash-retries.js';
import { drain } from './drain.js';
import { frozenWorker } from './frozen-worker.js';
import { killWorkers } from './kill-workers.js';
import { postgresRestart } from './postgres-restart.js';
import { redisOutage } from './redis-outage.js';
import { scheduleTicks } from './schedule-ticks.js';
import { twoDeployments } from './two-deployments.js';

export const SCENARIOS: readonly ChaosScenario[] = [
  killWorkers,
  crashRetries,
  frozenWorker,
  postgresRestart,
  redisOutage,
  cancelFfmpeg,
  drain,
  twoDeployments,
  scheduleTicks,
];
