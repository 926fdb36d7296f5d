/**
 * Redis lost and back under two API nodes: live progress (SSE) rides on Redis pub/sub across nodes,
 * and falls back to polling the database while Redis is away. Measures how long an event takes from
 * the database to a client on each node, before, during and after the outage, and whether any
 * stream errored or missed an event.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { percentile } from '../../lib/stats.js';
import { ThrowawayRedis } from '../../../test/support/throwaway-redis.js';
import { waitFor } from '../../../test/support/wait.js';
import { ApiNode } from '../api-node.js';
import { openDeployment, type Deployment } from '../deployment.js';
import type { Figure } from '../results.js';
import type { ChaosScenario } from '../scenario.js';
import { followEvents } from '../sse-client.js';

const ADMIN_KEY = 'rq_chaosadmin_0123456789abcdefghijklmnopqrstuvwxyz';
const POLL_MS = 1000;

interface PhaseFigures {
  latenciesMs: number[];
  errors: number;
  missed: number;
}

/** Runs `jobs` jobs one by one, each followed on every node from before it starts to its end. */
async function phase(d: Deployment, nodes: readonly ApiNode[], jobs: number): Promise<PhaseFigures> {
  const out: PhaseFigures = { latenciesMs: [], errors: 0, missed: 0 };
  for (let i = 0; i < jobs; i++) {
    const { job } = await d.app.enqueue({
      kind: 'sleep',
      payload: { ms: 100 },
      runAt: new Date(Date.now() + 500),
    });
    const streams = nodes.map((node) => followEvents(node.baseUrl, job.id, ADMIN_KEY));
    await Promise.race([Promise.all(streams.map((s) => s.done)), delay(20_000)]);
    for (const stream of streams) {
      stream.close();
      out.errors += stream.errors.length;
      const live = stream.events.filter((e) => e.type === 'started' || e.type === 'completed');
      out.missed += 2 - live.length;
      out.latenciesMs.push(...live.map((e) => Math.max(0, e.receivedAt - e.at)));
    }
  }
  return out;
}

function figures(label: string, p: PhaseFigures): Figure[] {
  return [
    { name: `${label}: event → client p50`, value: Math.round(percentile(p.latenciesMs, 0.5)), unit: 'ms' },
    { name: `${label}: event → client p99`, value: Math.round(percentile(p.latenciesMs, 0.99)), unit: 'ms' },
    { name: `${label}: stream errors`, value: p.errors, expect: 0 },
    { name: `${label}: events missed`, value: p.missed, expect: 0 },
  ];
}

export const redisOutage: ChaosScenario = {
  id: 'redis-outage',
  title: 'Redis lost and back under 2 API nodes (SSE latency)',
  dbs: ['sqlite', 'postgres'],
  async run({ target, sizes, log }) {
    const redis = await ThrowawayRedis.start();
    const nodes: ApiNode[] = [];
    const d = await openDeployment(target, {
      REDIS_URL: redis.url,
      REELQUEUE_ADMIN_KEY: ADMIN_KEY,
      POLL_INTERVAL_MS: String(POLL_MS),
      HEARTBEAT_SECONDS: '1',
      LEASE_SECONDS: '5',
    });
    try {
      for (let i = 0; i < 2; i++) nodes.push(await ApiNode.start(d.env));
      await d.startWorker(['--concurrency', '2']);
      const before = await phase(d, nodes, sizes.sseJobsPerPhase);
      await redis.stopServer();
      log('redis stopped');
      const during = await phase(d, nodes, sizes.sseJobsPerPhase);
      await redis.startServer();
      log('redis back');
      // Give every process's Redis client a moment to reconnect before timing "after".
      await waitFor(
        async () => {
          const r = await phase(d, nodes, 1);
          return r.latenciesMs.every((ms) => ms < POLL_MS / 2) ? true : null;
        },
        { timeoutMs: 30_000, intervalMs: 0, what: 'live events through Redis again' },
      ).catch(() => log('events did not come through Redis again within 30 s'));
      const after = await phase(d, nodes, sizes.sseJobsPerPhase);
      return {
        figures: [
          ...figures('before', before),
          ...figures('Redis down', during),
          ...figures('after', after),
          { name: 'API nodes alive at the end', value: nodes.filter((n) => !n.exited).length, expect: 2 },
          { name: 'worker alive at the end', value: d.workers.filter((w) => !w.exited).length, expect: 1 },
        ],
        notes: [
          `${sizes.sseJobsPerPhase} jobs per phase, each followed on both nodes; POLL_INTERVAL_MS ${POLL_MS} (the fallback without Redis)`,
        ],
      };
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
      await d.close();
      await redis.destroy();
    }
  },
};
