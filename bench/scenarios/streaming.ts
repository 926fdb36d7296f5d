/**
 * Streaming: one large video stored in the database (scenarios/streaming-video.ts), served by the
 * real CLI (`node dist/cli/main.js serve`, API only) in a child process, downloaded by N clients at
 * once, each a different Range of the file, together covering all of it. Measures the aggregate
 * MB/s and how much the server's resident memory grows while it streams.
 */
import { randomBytes } from 'node:crypto';
import { messageText, WorkerProcess } from '../lib/child-process.js';
import { msSince, nowNs } from '../lib/clock.js';
import { RssSampler, rssMiB } from '../lib/process-rss.js';
import { downloadRange, type RangeRequest } from '../lib/range-download.js';
import { Recorder } from '../lib/results.js';
import { dialectOf, scratchDatabase, type ScratchDatabase } from '../lib/scratch-database.js';
import { REELQUEUE_CLI } from '../systems/reelqueue.js';
import type { QueueSystem } from '../systems/types.js';
import { MIB, storeLargeVideo, type StoredVideo } from './streaming-video.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

const RSS_SAMPLE_MS = 50;

interface Prepared {
  system: QueueSystem;
  database: ScratchDatabase;
  video: StoredVideo;
  /** The database has no user when its server first starts, so this key becomes its admin's. */
  adminKey: string;
}

/** `clients` contiguous, distinct ranges that together cover `size` bytes. */
export function splitIntoRanges(size: number, clients: number): { start: number; end: number }[] {
  return Array.from({ length: clients }, (_, i) => ({
    start: Math.floor((i * size) / clients),
    end: Math.floor(((i + 1) * size) / clients) - 1,
  }));
}

export function serverProcess(
  database: ScratchDatabase,
  adminKey: string,
  nodeFlags: readonly string[],
  env: Record<string, string> = {},
) {
  return new WorkerProcess({
    command: process.execPath,
    args: [...nodeFlags, REELQUEUE_CLI, 'serve', '--no-worker', '--json'],
    env: {
      ...database.env,
      PORT: '0',
      HOST: '127.0.0.1',
      SERVE_WORKERS: '0',
      RATE_LIMIT_PER_MINUTE: '0',
      REELQUEUE_ADMIN_KEY: adminKey,
      LOG_LEVEL: 'warn',
      ...env,
    },
    channel: 'stdout-json',
  });
}

async function streamOnce(prepared: Prepared, context: ScenarioContext, recorder: Recorder): Promise<string> {
  const { system, database, video, adminKey } = prepared;
  const server = serverProcess(database, adminKey, context.nodeFlags);
  try {
    const serving = await server.next('serving');
    const pid = server.pid;
    if (pid === undefined) throw new Error('the server process has no pid');
    const url = `${messageText(serving, 'url')}/api/videos/${video.jobId}`;
    const headers = { authorization: `Bearer ${adminKey}` };
    // One small range first, so the baseline includes the loaded route and the prepared statements.
    await downloadRange({ url, headers, start: 0, end: Math.min(MIB, video.size) - 1 });
    const before = rssMiB(pid);
    const requests: RangeRequest[] = splitIntoRanges(video.size, context.options.sizes.streamingClients).map(
      (range) => ({ url, headers, ...range }),
    );
    const sampler = new RssSampler(pid, RSS_SAMPLE_MS);
    const started = nowNs();
    let received: number[];
    let peak: number;
    try {
      received = await Promise.all(requests.map((request) => downloadRange(request)));
    } finally {
      peak = sampler.stop();
    }
    const seconds = msSince(started) / 1000;
    const bytes = received.reduce((sum, n) => sum + n, 0);
    const perSecond = bytes / MIB / seconds;
    recorder.record(system, 'aggregate MB/s', 'MB/s', 'higher', perSecond);
    recorder.record(system, 'server RSS growth', 'MB', 'lower', peak - before);
    recorder.record(system, 'server RSS before', 'MB', 'lower', before);
    return `${perSecond.toFixed(0)} MB/s, RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB (+${(peak - before).toFixed(1)})`;
  } finally {
    await server.stop();
  }
}

async function prepare(system: QueueSystem, context: ScenarioContext, recorder: Recorder): Promise<Prepared> {
  const { streamingMegabytes } = context.options.sizes;
  const database = scratchDatabase(dialectOf(system), 'rq_stream');
  try {
    const video = await storeLargeVideo(database.env, streamingMegabytes);
    const perSecond = video.size / MIB / video.writeSeconds;
    recorder.record(system, 'artifact write MB/s (once)', 'MB/s', 'higher', perSecond);
    context.log(
      `streaming ${system.id}: stored ${streamingMegabytes} MB in ${video.writeSeconds.toFixed(1)} s (${perSecond.toFixed(0)} MB/s)`,
    );
    return { system, database, video, adminKey: `bench-admin-${randomBytes(16).toString('hex')}` };
  } catch (error) {
    await database.remove();
    throw error;
  }
}

export const streamingScenario: Scenario = {
  id: 'streaming',
  title: 'Streaming (a large stored video to concurrent Range clients)',
  async run(context) {
    const recorder = new Recorder();
    const { runs, streamingMegabytes, streamingClients } = context.options.sizes;
    const prepared: Prepared[] = [];
    try {
      for (const system of systemsFor(context, 'streaming')) {
        prepared.push(await prepare(system, context, recorder));
      }
      for (let run = 1; run <= runs; run++) {
        for (const one of prepared) {
          const figures = await streamOnce(one, context, recorder);
          context.log(`streaming run ${run}/${runs} ${one.system.id}: ${figures}`);
        }
      }
    } finally {
      for (const one of prepared) await one.database.remove();
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `A ${streamingMegabytes} MB video (MB = 2^20 bytes) stored once per database through the artifact store, under the lease of a claimed job then completed (as the render pipeline stores its video); its write speed is the "once" row.`,
        `Each run starts \`node dist/cli/main.js serve --no-worker\` (RATE_LIMIT_PER_MINUTE=0) as a child process; after one 1 MB warm-up range, ${streamingClients} clients in the bench process GET \`/api/videos/{jobId}\` at once with the admin key, each a different Range (together the whole file), on their own connections, counting the bytes without keeping them.`,
        `MB/s: all bytes ÷ time until the last client finished. RSS growth: the server's highest VmRSS (/proc/<pid>/status, sampled every ${RSS_SAMPLE_MS} ms) minus its VmRSS just before the clients started.`,
      ],
      measurements: recorder.summarize(),
    };
  },
};
