/** What the figures were measured on: the machine, the services and the versions under test. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import { REDIS_URL, withPg } from './services.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  redis: string;
  redisPersistence: string;
  versions: Record<string, string>;
  /** The reelqueue code measured: HEAD and whether src/ had uncommitted changes. */
  git: { head: string; srcChanged: boolean };
}

function gitState(): { head: string; srcChanged: boolean } {
  const run = (args: string[]) => spawnSync('git', args, { encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    head: run(['rev-parse', '--short', 'HEAD']) || 'unknown',
    srcChanged: run(['status', '--porcelain', 'src']) !== '',
  };
}

function packageVersion(name: string): string {
  const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

async function redisInfo(): Promise<{ version: string; persistence: string }> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    const [, save] = (await redis.config('GET', 'save')) as string[];
    return { version, persistence: `appendonly=${appendonly ?? '?'}, save="${save ?? ''}"` };
  } finally {
    redis.disconnect();
  }
}

export async function describeMachine(): Promise<MachineInfo> {
  const postgres = await withPg(async (client) => {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    const settings: Record<string, string> = {};
    for (const name of ['fsync', 'synchronous_commit', 'shared_buffers', 'max_connections']) {
      const result = await client.query<Record<string, string>>(`SHOW ${name}`);
      settings[name] = String(Object.values(result.rows[0] ?? {})[0]);
    }
    return { version: rows[0]?.server_version ?? 'unknown', settings };
  });
  const redis = await redisInfo();
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: postgres.version,
    postgresSettings: postgres.settings,
    redis: redis.version,
    redisPersistence: redis.persistence,
    git: gitState(),
    versions: Object.fromEntries(
      ['graphile-worker', 'pg-boss', 'bullmq', 'pg', 'better-sqlite3', 'ioredis'].map((name) => [
        name,
        packageVersion(name),
      ]),
    ),
  };
}
