/**
 * Listing latency by table size (issue 23): a page of 50 jobs newest first, by status, by kind, of
 * one owner and of everything, each as a first page and as a page from a cursor deep in the table
 * (or in the pending batch), through reelqueue's own store, beside a status read of one job by id
 * (the cheapest read there is). Tables seeded as in the scale scenario, then shaped as listings meet
 * them (`mixSqlite`): 500 pending jobs of one enqueue (one created_at), 50 running, 1 % failed,
 * 0.1 % of another kind, 1 % owned by ten users. p99 should stay flat as the table grows.
 */
import { encodeCursor } from '../../src/jobs/cursor.js';
import { ALL_JOBS, type JobStore, type ListFilter, type Scope } from '../../src/jobs/store.js';
import { msSince, nowNs } from '../lib/clock.js';
import { Recorder } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import type { QueueSystem } from '../systems/types.js';
import { rowsLabel, seeded } from './scale.js';
import { seededId } from './scale-seed.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

const PAGE = 50;
const PENDING = 500;

interface Listing {
  name: string;
  filter: Omit<ListFilter, 'limit' | 'cursor'>;
  scope?: Scope;
}

const LISTINGS: readonly Listing[] = [
  { name: 'newest first', filter: {} },
  { name: 'pending', filter: { statuses: ['pending'] } },
  { name: 'running', filter: { statuses: ['running'] } },
  { name: 'completed', filter: { statuses: ['completed'] } },
  { name: 'failed', filter: { statuses: ['failed'] } },
  { name: 'kind webhook', filter: { kinds: ['webhook'] } },
  { name: 'one owner', filter: {}, scope: { all: false, userId: 'user-3' } },
];

/** The cursor of a page that starts in the middle of what `listing` lists, read once. */
async function middleCursor(store: JobStore, listing: Listing): Promise<string | null> {
  const page = await store.list({ ...listing.filter, limit: 1000 }, listing.scope ?? ALL_JOBS);
  const middle = page.jobs[Math.floor(page.jobs.length / 2)];
  return middle ? encodeCursor({ createdAtMs: middle.createdAt.getTime(), id: middle.id }) : null;
}

async function measureSize(system: QueueSystem, rows: number, context: ScenarioContext, recorder: Recorder) {
  const { runs, scaleOperations: operations } = context.options.sizes;
  const size = rowsLabel(rows);
  const seedStarted = nowNs();
  const dialect = system.id === 'reelqueue-pg' ? 'pg' : 'sqlite';
  const { database, remove } = await seeded(dialect, rows, PENDING, true);
  context.log(`listings ${system.id} ${size}: seeded in ${(msSince(seedStarted) / 1000).toFixed(1)} s`);
  try {
    const store = database.jobs;
    // A deep cursor: the middle of the table (seeded row i was created at now − (rows − i) · 100 ms),
    // except for the pending batch (one created_at) and the running jobs: the middle of those.
    const deep = encodeCursor({ createdAtMs: Date.now() - rows * 50, id: seededId(Math.floor(rows / 2)) });
    const cursors = new Map<string, string | null>();
    for (const listing of LISTINGS) {
      const few = listing.name === 'pending' || listing.name === 'running';
      cursors.set(listing.name, few ? await middleCursor(store, listing) : deep);
    }
    const reads: { name: string; read: () => Promise<unknown> }[] = [
      {
        name: 'status read by id',
        read: () => store.get(seededId(1 + Math.floor(Math.random() * rows)), ALL_JOBS),
      },
    ];
    for (const listing of LISTINGS) {
      const scope = listing.scope ?? ALL_JOBS;
      reads.push({ name: listing.name, read: () => store.list({ ...listing.filter, limit: PAGE }, scope) });
      const cursor = cursors.get(listing.name) ?? null;
      if (cursor) {
        reads.push({
          name: `${listing.name}, from a cursor`,
          read: () => store.list({ ...listing.filter, limit: PAGE, cursor }, scope),
        });
      }
    }
    for (let run = 1; run <= runs; run++) {
      const parts: string[] = [];
      for (const { name, read } of reads) {
        const samples: number[] = [];
        for (let i = 0; i < operations; i++) {
          const started = nowNs();
          await read();
          samples.push(msSince(started));
        }
        recorder.record(system, `${name} p50, ${size} rows`, 'ms', 'lower', percentile(samples, 0.5));
        recorder.record(system, `${name} p99, ${size} rows`, 'ms', 'lower', percentile(samples, 0.99));
        parts.push(`${name} ${percentile(samples, 0.5).toFixed(2)}/${percentile(samples, 0.99).toFixed(2)}`);
      }
      context.log(`listings ${system.id} ${size} run ${run}/${runs} (p50/p99 ms): ${parts.join('; ')}`);
    }
  } finally {
    await remove();
  }
}

export const listingsScenario: Scenario = {
  id: 'listings',
  title: 'Listing latency by table size (a page of 50, by status, kind, owner, from a cursor)',
  async run(context) {
    const recorder = new Recorder();
    const { scaleRows, scaleOperations, runs } = context.options.sizes;
    for (const rows of scaleRows) {
      for (const system of systemsFor(context, 'scale')) await measureSize(system, rows, context, recorder);
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `Tables of ${scaleRows.map(rowsLabel).join(', ')} rows seeded as in the scale scenario, then ${PENDING} pending jobs given one created_at (an enqueue of many), 50 old ones running, 1 % failed, 0.1 % of kind webhook, 1 % owned by ten users (PostgreSQL then VACUUM ANALYZE; SQLite not analysed). ${runs} runs of ${scaleOperations} sequential store.list calls per listing (a page of ${PAGE}; first page, and a page from a cursor in the middle of what it lists), beside store.get of a random job, from the bench process.`,
      ],
      measurements: recorder.summarize(),
    };
  },
};
