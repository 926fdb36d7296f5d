/**
 * A benchmark scenario. To add one (HTTP, render, streaming…): write `scenarios/<id>.ts` exporting a
 * `Scenario`, and list it in `scenarios/index.ts`. It gets the options, the systems that declare its
 * id in their `scenarios`, and returns measurements recorded with a `Recorder`.
 */
import type { BenchOptions } from '../lib/options.js';
import type { ScenarioResult } from '../lib/results.js';
import type { QueueSystem } from '../systems/types.js';

export interface ScenarioContext {
  readonly options: BenchOptions;
  /** The systems selected with --systems (all by default); filter with `systemsFor`. */
  readonly systems: readonly QueueSystem[];
  /** Node flags for worker processes (e.g. --cpu-prof). */
  readonly nodeFlags: readonly string[];
  log(message: string): void;
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** Runs only when named with --only (it is long or heavy: the fleet starts 100 processes). */
  readonly optIn?: boolean;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}

/** The selected systems that take part in `scenarioId`. */
export function systemsFor(context: ScenarioContext, scenarioId: string): QueueSystem[] {
  return context.systems.filter((system) => system.scenarios.includes(scenarioId));
}
