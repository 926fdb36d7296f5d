/** The shape of a chaos scenario: what it needs from the run, and what it reports. */
import type { ThrowawayPostgres } from '../../test/support/throwaway-postgres.js';
import type { DatabaseTarget } from './deployment.js';
import type { ChaosDb, ChaosSizes } from './options.js';
import type { Figure } from './results.js';

export interface ScenarioContext {
  db: ChaosDb;
  target: DatabaseTarget;
  /** The battery's own PostgreSQL server (on a free port), when `db` is postgres. */
  postgres: ThrowawayPostgres | null;
  sizes: ChaosSizes;
  log(message: string): void;
}

export interface ScenarioOutcome {
  figures: Figure[];
  notes?: string[];
}

export interface ChaosScenario {
  id: string;
  title: string;
  /** Databases the scenario means something on (a PostgreSQL restart has no SQLite twin). */
  dbs: readonly ChaosDb[];
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}
