/**
 * Every scenario, in the order they run and are reported. A new one exports a `Scenario`
 * (scenarios/types.ts), is listed here, and may add goals in lib/goals.ts.
 */
import { cleanupScenario } from './cleanup.js';
import { enqueueScenario } from './enqueue.js';
import { fleetScenario } from './fleet.js';
import { httpScenario } from './http.js';
import { listingsScenario } from './listings.js';
import { pickupScenario } from './pickup.js';
import { renderScenario } from './render.js';
import { scaleScenario } from './scale.js';
import { splitRenderScenario } from './split-render.js';
import { statusCacheScenario } from './status-cache.js';
import { statisticsScenario } from './statistics.js';
import { streamingScenario } from './streaming.js';
import { throughputScenario } from './throughput.js';
import type { Scenario } from './types.js';

export const SCENARIOS: readonly Scenario[] = [
  throughputScenario,
  pickupScenario,
  enqueueScenario,
  scaleScenario,
  statisticsScenario,
  listingsScenario,
  cleanupScenario,
  httpScenario,
  statusCacheScenario,
  renderScenario,
  streamingScenario,
  fleetScenario,
  splitRenderScenario,
];
