/**
 * The resident memory of another process on Linux (VmRSS in /proc/<pid>/status), read once or
 * sampled on a timer to find its peak during a run.
 */
import { readFileSync } from 'node:fs';

const MIB = 1024 * 1024;

/** VmRSS of `pid` in MiB (2^20 bytes). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return (Number(match[1]) * 1024) / MIB;
}

/** Reads VmRSS every `intervalMs` until `stop()`, which returns the highest value seen (MiB). */
export class RssSampler {
  readonly #pid: number;
  readonly #timer: NodeJS.Timeout;
  #peak: number;

  constructor(pid: number, intervalMs = 50) {
    this.#pid = pid;
    this.#peak = rssMiB(pid);
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample(): void {
    this.#peak = Math.max(this.#peak, rssMiB(this.#pid));
  }

  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    return this.#peak;
  }
}
