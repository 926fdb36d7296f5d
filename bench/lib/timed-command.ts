/**
 * Runs a command and measures it: wall time, CPU time and peak RSS. Under GNU time when it is
 * installed (exact CPU time and peak RSS of the command); otherwise peak RSS is sampled from /proc
 * while it runs and CPU time is unknown (NaN).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const GNU_TIME = '/usr/bin/time';
const TIME_FORMAT = 'RQ_TIME %U %S %M';

export interface CommandTiming {
  wallSeconds: number;
  /** User + system CPU seconds; NaN without GNU time. */
  cpuSeconds: number;
  peakRssBytes: number;
}

async function sampledPeakRssKb(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Runs `command args` with stdout discarded; rejects with its stderr when it exits non-zero. */
export async function timeCommand(command: string, args: readonly string[]): Promise<CommandTiming> {
  const underGnuTime = existsSync(GNU_TIME);
  const started = performance.now();
  const child = underGnuTime
    ? spawn(GNU_TIME, ['-f', TIME_FORMAT, command, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let sampledKb = 0;
  const sampler = underGnuTime
    ? undefined
    : setInterval(() => {
        sampledPeakRssKb(child.pid)
          .then((kb) => (sampledKb = Math.max(sampledKb, kb)))
          .catch(() => undefined);
      }, 10);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearInterval(sampler));
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${command} exited with ${code}: ${stderr.trim()}`);
  if (!underGnuTime) return { wallSeconds, cpuSeconds: Number.NaN, peakRssBytes: sampledKb * 1024 };
  const [user = Number.NaN, system = Number.NaN, maxKb = 0] = (/RQ_TIME (\S+) (\S+) (\d+)/.exec(stderr) ?? [])
    .slice(1)
    .map(Number);
  return { wallSeconds, cpuSeconds: user + system, peakRssBytes: maxKb * 1024 };
}
