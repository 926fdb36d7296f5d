/** Every chaos scenario, in the order `npm run chaos` runs them. */
import type { ChaosScenario } from '../scenario.js';
import { killWorkers } from './kill-workers.js';

export const SCENARIOS: readonly ChaosScenario[] = [killWorkers];
