/**
 * What streaming a stored video costs, in CPU seconds per GiB rather than wall-clock MB/s alone (on
 * a loaded machine the CPU cost is the figure that holds still): the streaming scenario's setup (one
 * large video stored once, the real CLI `serve` as a child process, N Range clients at once), and per
 * round the API process's CPU, the CPU of the PostgreSQL backends serving that process (found by the
 * ports of its sockets), this process's CPU (the clients), the MB/s and the server's RSS growth.
 *
 *   npx tsx bench/tools/stream-cost.ts [--db pg|sqlite] [--megabytes 200] [--clients 20] [--rounds 3]
 *     [--node-flags=--min-semi-space-size=16]
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { messageText } from '../lib/child-process.js';
import { msSince, nowNs } from '../lib/clock.js';
import { cpuSeconds } from '../lib/process-cpu.js';
import { RssSampler, rssMiB } from '../lib/process-rss.js';
import { downloadRange } from '../lib/range-download.js';
import { dialectOption, scratchDatabase } from '../lib/scratch-database.js';
import { withPg } from '../lib/services.js';
import { summaryText } from '../lib/stats.js';
import { serverProcess, splitIntoRanges } from '../scenarios/streaming.js';
import { MIB, storeLargeVideo } from '../scenarios/streaming-video.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'pg' },
    megabytes: { type: 'string', default: '200' },
    clients: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    'node-flags': { type: 'string', default: '' },
  },
});
const dialect = dialectOption(values.db);
const megabytes = Number(values.megabytes);
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const nodeFlags = (values['node-flags'] ?? '').split(' ').filter((flag) => flag !== '');

/** Local ports of the TCP connections `pid` holds to port 5432 (/proc/<pid>/fd, /proc/net/tcp*). */
function postgresClientPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, remote, inode] = [fields[1], fields[2], fields[9]];
      if (!local || !remote || !inode || !inodes.has(inode)) continue;
      if (parseInt(remote.split(':')[1] ?? '', 16) !== 5432) continue;
      ports.push(parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

async function backendPids(ports: number[]): Promise<Set<string>> {
  if (ports.length === 0) return new Set();
  const { rows } = await withPg((client) =>
    client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1)', [ports]),
  );
  return new Set(rows.map((row) => String(row.pid)));
}

interface Round {
  perSecond: number;
  rssGrowth: number;
  apiPerGiB: number;
  postgresPerGiB: number;
  clientsPerGiB: number;
}

const database = scratchDatabase(dialect, 'rq_stream_cost');
try {
  const video = await storeLargeVideo(database.env, megabytes);
  console.error(`[stream-cost] stored ${megabytes} MB in ${video.writeSeconds.toFixed(1)} s`);
  const results: Round[] = [];
  // The database has no user when its server first starts, so this key becomes its admin's.
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  for (let round = 1; round <= rounds; round++) {
    const server = serverProcess(database, adminKey, nodeFlags);
    try {
      const serving = await server.next('serving');
      const pid = server.pid;
      if (pid === undefined) throw new Error('the server process has no pid');
      const url = `${messageText(serving, 'url')}/api/videos/${video.jobId}`;
      const headers = { authorization: `Bearer ${adminKey}` };
      await downloadRange({ url, headers, start: 0, end: Math.min(MIB, video.size) - 1 });
      const before = rssMiB(pid);
      const apiCpu = () => cpuSeconds((one) => one === String(pid));
      const [api0, clients0] = [apiCpu(), process.cpuUsage()];
      let backends = await backendPids(postgresClientPorts(pid));
      const pgCpu0 = new Map([...backends].map((one) => [one, cpuSeconds((p) => p === one)]));
      const sampler = new RssSampler(pid, 50);
      const started = nowNs();
      const received = await Promise.all(
        splitIntoRanges(video.size, clients).map((range) => downloadRange({ url, headers, ...range })),
      );
      const seconds = msSince(started) / 1000;
      const peak = sampler.stop();
      const clientsUsage = process.cpuUsage(clients0);
      const api = apiCpu() - api0;
      // Backends the pool opened during the run started from zero.
      backends = new Set([...backends, ...(await backendPids(postgresClientPorts(pid)))]);
      let postgres = 0;
      for (const one of backends) postgres += cpuSeconds((p) => p === one) - (pgCpu0.get(one) ?? 0);
      const gib = received.reduce((sum, n) => sum + n, 0) / (1024 * MIB);
      const result: Round = {
        perSecond: (gib * 1024) / seconds,
        rssGrowth: peak - before,
        apiPerGiB: api / gib,
        postgresPerGiB: dialect === 'pg' ? postgres / gib : Number.NaN,
        clientsPerGiB: (clientsUsage.user + clientsUsage.system) / 1e6 / gib,
      };
      results.push(result);
      console.error(
        `[stream-cost] round ${round}/${rounds}: ${result.perSecond.toFixed(0)} MB/s, RSS +${result.rssGrowth.toFixed(1)} MB, CPU s/GiB: API ${result.apiPerGiB.toFixed(2)}, PostgreSQL ${result.postgresPerGiB.toFixed(2)} (${backends.size} backends), clients ${result.clientsPerGiB.toFixed(2)}`,
      );
    } finally {
      await server.stop();
    }
  }
  const row = (pick: (one: Round) => number, digits: number) => summaryText(results.map(pick), digits);
  console.log(
    `${megabytes} MB video, ${clients} Range clients, ${dialect}, ${rounds} round(s)${nodeFlags.length ? `, node ${nodeFlags.join(' ')}` : ''}\n`,
  );
  console.log(
    '| MB/s | RSS growth MB | API CPU s/GiB | PostgreSQL CPU s/GiB | clients CPU s/GiB |\n|---:|---:|---:|---:|---:|',
  );
  console.log(
    `| ${row((r) => r.perSecond, 0)} | ${row((r) => r.rssGrowth, 1)} | ${row((r) => r.apiPerGiB, 2)} | ${row((r) => r.postgresPerGiB, 2)} | ${row((r) => r.clientsPerGiB, 2)} |`,
  );
} finally {
  await database.remove();
}
