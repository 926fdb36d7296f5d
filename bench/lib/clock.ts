/**
 * Timestamps that two processes on this machine can compare: `process.hrtime` reads
 * CLOCK_MONOTONIC, which is one clock for the whole system on Linux.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export function nowNs(): bigint {
  return process.hrtime.bigint();
}

export function msSince(startNs: bigint, endNs: bigint = nowNs()): number {
  return Number(endNs - startNs) / 1e6;
}
