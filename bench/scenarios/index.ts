/**
 * Every scenario, in the order they run and are reported. Later scenarios plug in here:
 *   5. HTTP (status reads vs a hello-world route, with autocannon) → scenarios/http.ts
 *   6. Render (seconds of video per second, vs the naive encode)  → scenarios/render.ts
 *   7. Streaming (500 MB artifact with Range to 20 clients)       → scenarios/streaming.ts
 * Each exports a `Scenario` (scenarios/types.ts) and may add goals in lib/goals.ts.
 */
import { enqueueScenario } from './enqueue.js';
import { pickupScenario } from './pickup.js';
import { scaleScenario } from './scale.js';
import { throughputScenario } from './throughput.js';
import type { Scenario } from './types.js';

export const SCENARIOS: readonly Scenario[] = [
  throughputScenario,
  pickupScenario,
  enqueueScenario,
  scaleScenario,
];
