/**
 * Waits until a store has no unfinished job, polling more often as the end nears so the end time is
 * precise without loading the machine during the run.
 */
import { msSince, nowNs, sleep } from './clock.js';

export async function waitUntilDrained(
  unfinished: () => Promise<number>,
  total: number,
  timeoutMs: number,
): Promise<bigint> {
  const start = nowNs();
  for (;;) {
    const left = await unfinished();
    const at = nowNs();
    if (left === 0) return at;
    const elapsedMs = msSince(start, at);
    if (elapsedMs > timeoutMs) {
      throw new Error(`${left} of ${total} jobs still unfinished after ${Math.round(elapsedMs)} ms`);
    }
    const perMs = (total - left) / Math.max(elapsedMs, 1);
    const expectedMs = perMs > 0 ? left / perMs : 50;
    await sleep(Math.min(50, Math.max(1, expectedMs / 4)));
  }
}

/** Waits (polling every millisecond) until nothing is unfinished: the worker is idle again. */
export async function waitUntilIdle(unfinished: () => Promise<number>, timeoutMs = 30_000): Promise<void> {
  const start = nowNs();
  while ((await unfinished()) > 0) {
    if (msSince(start) > timeoutMs) throw new Error(`the worker did not become idle within ${timeoutMs} ms`);
    await sleep(1);
  }
}
