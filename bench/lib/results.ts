/**
 * What a scenario produces: one measurement per (system, metric), holding one sample per run. The
 * report shows each measurement's median and range, and for reelqueue its ratio to the best peer.
 */
import type { QueueSystem } from '../systems/types.js';
import { summarize, type Summary } from './stats.js';

export type Better = 'higher' | 'lower';

export interface Measurement {
  system: string;
  label: string;
  role: QueueSystem['role'];
  metric: string;
  unit: string;
  better: Better;
  samples: number[];
}

export interface SummarizedMeasurement extends Measurement, Summary {
  /** reelqueue ÷ best peer (by median) for the same metric; null for peers or when no peer ran. */
  ratioToBestPeer: number | null;
  bestPeer: string | null;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** How the figures were taken, shown under the table. */
  notes: string[];
  measurements: SummarizedMeasurement[];
}

/** What a row is about: a queue, or anything else measured (the render pipeline, a naive encode). */
export type MeasuredSystem = Pick<QueueSystem, 'id' | 'label' | 'role'>;

/** Collects samples run by run, keeping the order in which metrics first appeared. */
export class Recorder {
  readonly #measurements = new Map<string, Measurement>();

  record(system: MeasuredSystem, metric: string, unit: string, better: Better, value: number): void {
    const key = `${system.id}\u0000${metric}`;
    let measurement = this.#measurements.get(key);
    if (!measurement) {
      measurement = {
        system: system.id,
        label: system.label,
        role: system.role,
        metric,
        unit,
        better,
        samples: [],
      };
      this.#measurements.set(key, measurement);
    }
    measurement.samples.push(value);
  }

  summarize(): SummarizedMeasurement[] {
    const all = [...this.#measurements.values()];
    return all.map((measurement) => {
      const summary = summarize(measurement.samples);
      const peers = all
        .filter((other) => other.role === 'peer' && other.metric === measurement.metric)
        .map((other) => ({ label: other.label, median: summarize(other.samples).median }))
        .filter((peer) => Number.isFinite(peer.median));
      const best = peers.sort((a, b) =>
        measurement.better === 'higher' ? b.median - a.median : a.median - b.median,
      )[0];
      const ratio =
        measurement.role === 'reelqueue' && best && best.median !== 0 ? summary.median / best.median : null;
      return {
        ...measurement,
        ...summary,
        ratioToBestPeer: ratio,
        bestPeer: best && ratio !== null ? best.label : null,
      };
    });
  }
}
