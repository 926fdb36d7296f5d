/**
 * The goals of issue 6, checked against the figures of this run (benchmark goals, never test
 * assertions). A goal whose scenario did not run, or is not written yet, shows as "not measured".
 */
import type { ScenarioResult, SummarizedMeasurement } from './results.js';

export interface GoalOutcome {
  goal: string;
  target: string;
  measured: string;
  met: boolean | null;
}

type Find = (scenario: string, system: string, metric: string) => SummarizedMeasurement | undefined;

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits });
const notMeasured = (goal: string, target: string): GoalOutcome => ({
  goal,
  target,
  measured: 'not measured',
  met: null,
});

function throughputGoals(find: Find, results: readonly ScenarioResult[]): GoalOutcome[] {
  const metrics = [
    ...new Set(results.find((r) => r.id === 'throughput')?.measurements.map((m) => m.metric) ?? []),
  ];
  if (metrics.length === 0) {
    return [
      notMeasured('PostgreSQL processing vs best peer', '≥ 1.5×'),
      notMeasured('SQLite processing', '≥ 40,000 jobs/s'),
    ];
  }
  return metrics.flatMap((metric) => {
    const outcomes: GoalOutcome[] = [];
    const pgRow = find('throughput', 'reelqueue-pg', metric);
    if (pgRow?.ratioToBestPeer != null) {
      outcomes.push({
        goal: `PostgreSQL processing vs best peer (${metric.replace('jobs/s, ', '')})`,
        target: '≥ 1.5×',
        measured: `${pgRow.ratioToBestPeer.toFixed(2)}× (${fmt(pgRow.median)} vs ${pgRow.bestPeer})`,
        met: pgRow.ratioToBestPeer >= 1.5,
      });
    }
    const sqliteRow = find('throughput', 'reelqueue-sqlite', metric);
    if (sqliteRow) {
      outcomes.push({
        goal: `SQLite processing (${metric.replace('jobs/s, ', '')})`,
        target: '≥ 40,000 jobs/s',
        measured: `${fmt(sqliteRow.median)} jobs/s`,
        met: sqliteRow.median >= 40_000,
      });
    }
    return outcomes;
  });
}

function pickupGoals(find: Find): GoalOutcome[] {
  if (!find('pickup', 'reelqueue-pg', 'p50') && !find('pickup', 'reelqueue-sqlite', 'p50')) {
    return [notMeasured('pickup p50', '≤ 0.35 ms'), notMeasured('pickup p99', '≤ 3 ms')];
  }
  return (['reelqueue-pg', 'reelqueue-sqlite'] as const).flatMap((system) => {
    const p50 = find('pickup', system, 'p50');
    const p99 = find('pickup', system, 'p99');
    if (!p50 || !p99) return [];
    return [
      {
        goal: `pickup p50 (${system})`,
        target: '≤ 0.35 ms',
        measured: `${p50.median.toFixed(2)} ms`,
        met: p50.median <= 0.35,
      },
      {
        goal: `pickup p99 (${system})`,
        target: '≤ 3 ms',
        measured: `${p99.median.toFixed(2)} ms`,
        met: p99.median <= 3,
      },
    ];
  });
}

function enqueueGoals(find: Find, results: readonly ScenarioResult[]): GoalOutcome[] {
  const outcomes: GoalOutcome[] = [];
  const single = find('enqueue', 'reelqueue-pg', 'sequential adds/s');
  const ceiling = find('enqueue', 'pg-commit', 'sequential adds/s');
  if (single && ceiling) {
    const ratio = single.median / ceiling.median;
    outcomes.push({
      goal: 'sequential enqueue vs one-row commit (PostgreSQL)',
      target: '≥ 0.8×',
      measured: `${ratio.toFixed(2)}× (${fmt(single.median)} vs ${fmt(ceiling.median)} adds/s)`,
      met: ratio >= 0.8,
    });
  }
  const bulkMetric = results
    .find((r) => r.id === 'enqueue')
    ?.measurements.find((m) => m.metric.startsWith('bulk'))?.metric;
  for (const system of ['reelqueue-pg', 'reelqueue-sqlite']) {
    const bulk = bulkMetric ? find('enqueue', system, bulkMetric) : undefined;
    if (bulk) {
      outcomes.push({
        goal: `bulk enqueue (${system})`,
        target: '≥ 150,000 jobs/s',
        measured: `${fmt(bulk.median)} jobs/s`,
        met: bulk.median >= 150_000,
      });
    }
  }
  if (outcomes.length === 0) {
    return [
      notMeasured('sequential enqueue vs one-row commit (PostgreSQL)', '≥ 0.8×'),
      notMeasured('bulk enqueue', '≥ 150,000 jobs/s'),
    ];
  }
  return outcomes;
}

function scaleGoals(results: readonly ScenarioResult[]): GoalOutcome[] {
  const claims =
    results.find((r) => r.id === 'scale')?.measurements.filter((m) => m.metric.startsWith('claim p99')) ?? [];
  if (claims.length === 0) return [notMeasured('claim p99 flat as the table grows', '≤ 1.5× (10M vs 10k)')];
  return ['reelqueue-pg', 'reelqueue-sqlite'].flatMap((system) => {
    const rows = claims.filter((m) => m.system === system);
    const smallest = rows[0];
    const largest = rows[rows.length - 1];
    if (!smallest || !largest || smallest === largest) return [];
    const ratio = largest.median / smallest.median;
    return [
      {
        goal: `claim p99 flat (${system}): ${largest.metric.replace('claim p99, ', '')} vs ${smallest.metric.replace('claim p99, ', '')}`,
        target: '≤ 1.5× (issue: 10M vs 10k)',
        measured: `${ratio.toFixed(2)}× (${largest.median.toFixed(2)} vs ${smallest.median.toFixed(2)} ms)`,
        met: ratio <= 1.5,
      },
    ];
  });
}

function renderGoals(find: Find): GoalOutcome[] {
  const speed = find('render', 'reelqueue-render', 'video s per wall s');
  if (!speed) return [notMeasured('render speed', '≥ 15× real time')];
  return [
    {
      goal: 'render speed (whole pipeline, example lesson)',
      target: '≥ 15× real time',
      measured: `${speed.median.toFixed(1)}× real time`,
      met: speed.median >= 15,
    },
  ];
}

const REELQUEUE_DATABASES = ['reelqueue-pg', 'reelqueue-sqlite'] as const;

function httpGoals(find: Find): GoalOutcome[] {
  const outcomes = REELQUEUE_DATABASES.flatMap((system) => {
    const ratio = find('http', system, 'status ÷ hello-world req/s');
    const status = find('http', system, 'status reads/s');
    const hello = find('http', system, 'hello-world req/s');
    if (!ratio || !status || !hello) return [];
    return [
      {
        goal: `status reads vs hello-world ceiling (HTTP, ${system})`,
        target: '≥ 0.5×',
        measured: `${ratio.median.toFixed(2)}× (${fmt(status.median)} vs ${fmt(hello.median)} req/s)`,
        met: ratio.median >= 0.5,
      },
    ];
  });
  return outcomes.length > 0
    ? outcomes
    : [notMeasured('status reads vs hello-world ceiling (HTTP)', '≥ 0.5×')];
}

/** Memory is bounded by its worst run, not its median. */
function streamingGoals(find: Find): GoalOutcome[] {
  const outcomes = REELQUEUE_DATABASES.flatMap((system) => {
    const growth = find('streaming', system, 'server RSS growth');
    if (!growth) return [];
    return [
      {
        goal: `streaming RSS growth (${system})`,
        target: '≤ 64 MB',
        measured: `${growth.max.toFixed(1)} MB (worst of ${growth.samples.length} runs; median ${growth.median.toFixed(1)})`,
        met: growth.max <= 64,
      },
    ];
  });
  return outcomes.length > 0 ? outcomes : [notMeasured('streaming RSS growth', '≤ 64 MB')];
}

export function evaluateGoals(results: readonly ScenarioResult[]): GoalOutcome[] {
  const find: Find = (scenario, system, metric) =>
    results
      .find((r) => r.id === scenario)
      ?.measurements.find((m) => m.system === system && m.metric === metric);
  return [
    ...throughputGoals(find, results),
    ...pickupGoals(find),
    ...enqueueGoals(find, results),
    ...scaleGoals(results),
    ...httpGoals(find),
    ...renderGoals(find),
    ...streamingGoals(find),
  ];
}
