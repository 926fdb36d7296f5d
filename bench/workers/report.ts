/** How a bench worker process talks to the parent: IPC messages. */
import { nowNs } from '../lib/clock.js';

export function report(message: { type: string } & Record<string, unknown>): void {
  process.send?.(message);
}

/** Tells the parent a handler started, with a timestamp it can compare with its own. */
export function reportPickup(startedNs: bigint = nowNs()): void {
  report({ type: 'pickup', t: startedNs.toString() });
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Stops on SIGTERM/SIGINT with `stop`, then exits 0 (so --cpu-prof profiles are written). */
export function exitOnSignal(stop: () => Promise<unknown>): void {
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    stop()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('disconnect', onSignal);
}
