/**
 * Issue 24's proof of exactly-once ticks: three worker processes (each running a scheduler) share a
 * schedule that ticks every second, and one of them is killed with SIGKILL right after a tick now
 * and then (when every scheduler is firing it: the node in the middle of the winning transaction is
 * as likely a victim as any other), then replaced. Every tick from the first to the last must be
 * queued exactly once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from '../../../test/support/wait.js';
import { openDeployment } from '../deployment.js';
import type { ChaosScenario } from '../scenario.js';

const SCHEDULERS = 3;
const NAME = 'chaos-every-second';
const PREFIX = `schedule:${NAME}@`;

export const scheduleTicks: ChaosScenario = {
  id: 'schedules',
  title: 'A one-second schedule fired by three schedulers, one killed with SIGKILL now and then',
  dbs: ['sqlite', 'postgres'],
  async run({ target, sizes, log }) {
    const { scheduleTicks: ticks, scheduleKills: kills } = sizes;
    const d = await openDeployment(target, {});
    try {
      const schedule = await d.app.schedules.create({
        name: NAME,
        cron: '* * * * * *',
        kind: 'noop',
        catchUp: 'all',
        catchUpLimit: 1000,
      });
      const first = schedule.nextRunAt as Date;
      const alive = await Promise.all(Array.from({ length: SCHEDULERS }, () => d.startWorker()));
      const queued = async () =>
        (await d.allJobs()).flatMap((job) =>
          job.idempotencyKey?.startsWith(PREFIX) ? [job.idempotencyKey.slice(PREFIX.length)] : [],
        );
      for (let kill = 1; kill <= kills; kill++) {
        await waitFor(async () => (await queued()).length >= Math.floor((ticks * kill) / (kills + 1)), {
          timeoutMs: ticks * 5000,
          intervalMs: 250,
          what: `tick ${kill} of ${kills}`,
        });
        // Just after a tick: every scheduler is firing it.
        await delay(1000 - (Date.now() % 1000) + Math.random() * 30);
        const victim = alive.splice(Math.floor(Math.random() * alive.length), 1)[0];
        await victim?.killHard();
        log(`killed a scheduler (${kill}/${kills})`);
        alive.push(await d.startWorker());
      }
      await waitFor(async () => (await queued()).length >= ticks, {
        timeoutMs: ticks * 5000,
        intervalMs: 250,
        what: `${ticks} ticks`,
      });
      await d.app.schedules.update(NAME, { enabled: false });
      const keys = await queued();
      const distinct = new Set(keys);
      const last = Math.max(...keys.map((key) => Date.parse(key)));
      const expected = (last - first.getTime()) / 1000 + 1;
      let missing = 0;
      for (let at = first.getTime(); at <= last; at += 1000) {
        if (!distinct.has(new Date(at).toISOString())) missing++;
      }
      return {
        figures: [
          { name: 'ticks from the first to the last', value: expected },
          { name: 'jobs queued', value: keys.length },
          { name: 'ticks queued twice', value: keys.length - distinct.size, expect: 0 },
          { name: 'ticks missed', value: missing, expect: 0 },
          { name: 'schedulers killed with SIGKILL', value: kills },
        ],
        notes: [`${SCHEDULERS} scheduler processes, cron "* * * * * *", catch-up all`],
      };
    } finally {
      await d.close();
    }
  },
};
