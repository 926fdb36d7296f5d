/**
 * The battery's throwaway PostgreSQL restarted under running workers: a fast restart, an immediate
 * one (a crash: recovery on start) and the server stopped for a while. Workers must ride it out by
 * themselves: how long until jobs complete again once the server is back, and whether any job is
 * lost or left stuck.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { HealthMetrics } from '../../../src/jobs/store.js';
import { ALL_JOBS } from '../../../src/jobs/store.js';
import { waitFor } from '../../../test/support/wait.js';
import { openDeployment, type Deployment } from '../deployment.js';
import type { Figure } from '../results.js';
import type { ChaosScenario, ScenarioContext } from '../scenario.js';

const settings = {
  LEASE_SECONDS: '5',
  HEARTBEAT_SECONDS: '1',
  REAPER_INTERVAL_SECONDS: '1',
  POLL_INTERVAL_MS: '200',
};

type Fault = 'fast' | 'immediate' | 'stopped';

async function health(d: Deployment): Promise<HealthMetrics | null> {
  try {
    return await d.app.jobs.health(ALL_JOBS);
  } catch {
    return null; // the server is away; the pool reconnects on a later call
  }
}

async function oneFault(context: ScenarioContext, fault: Fault): Promise<Figure[]> {
  const server = context.postgres;
  if (!server || context.target.dialect !== 'postgres') throw new Error('needs the throwaway PostgreSQL');
  const jobs = context.sizes.restartJobs;
  const d = await openDeployment(context.target, settings);
  try {
    // Workers first: jobs queued before they are up would be half done before the fault.
    for (let i = 0; i < 2; i++) await d.startWorker(['--concurrency', '4']);
    await d.app.enqueueMany(Array.from({ length: jobs }, () => ({ kind: 'sleep', payload: { ms: 100 } })));
    await waitFor(async () => ((await health(d))?.completed ?? 0) >= jobs / 4, {
      timeoutMs: 60_000,
      what: 'a quarter of the jobs to complete',
    });
    if (fault === 'stopped') {
      server.stopServer('fast');
      context.log(`server stopped for ${context.sizes.stoppedSeconds} s`);
      await delay(context.sizes.stoppedSeconds * 1000);
      server.startServer();
    } else {
      server.restartServer(fault);
    }
    const backAt = Date.now();
    const end = await waitFor(
      async () => {
        const h = await health(d);
        return h && h.pending + h.running === 0 ? h : null;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'every job to finish' },
    ).catch(() => null);
    const final = end ?? (await health(d));
    // Resumed: the first job completed once the server was back (database clock, same host).
    const completedAfter = (await d.allJobs())
      .map((job) => job.completedAt?.getTime() ?? 0)
      .filter((at) => at >= backAt);
    const resumeMs = completedAfter.length > 0 ? Math.min(...completedAfter) - backAt : Number.NaN;
    const label = fault === 'stopped' ? `stopped ${context.sizes.stoppedSeconds} s` : `${fault} restart`;
    return [
      {
        name: `${label}: server back → jobs completing again`,
        value: Math.round(resumeMs / 100) / 10,
        unit: 's',
      },
      {
        name: `${label}: jobs lost (failed or never finished)`,
        value: jobs - (final?.completed ?? 0),
        expect: 0,
      },
      {
        name: `${label}: jobs stuck (pending/running 120 s later)`,
        value: end ? 0 : (final?.pending ?? 0) + (final?.running ?? 0),
        expect: 0,
      },
      {
        name: `${label}: worker processes that died`,
        value: d.workers.filter((w) => w.exited).length,
        expect: 0,
      },
    ];
  } finally {
    await d.close();
  }
}

export const postgresRestart: ChaosScenario = {
  id: 'postgres-restart',
  title: 'PostgreSQL restarted under running workers',
  dbs: ['postgres'],
  async run(context) {
    const figures: Figure[] = [];
    for (const fault of ['fast', 'immediate', 'stopped'] as const)
      figures.push(...(await oneFault(context, fault)));
    return {
      figures,
      notes: [
        `${context.sizes.restartJobs} jobs of 100 ms per fault, 2 workers × 4, lease 5 s; a throwaway server`,
      ],
    };
  },
};
