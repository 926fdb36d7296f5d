/**
 * Resolves once `listener` hears `sender`'s wake-ups (its LISTEN session or Redis subscription is
 * up): a wake-up sent before then is lost, and the job it announced left to a poll. It enqueues jobs
 * of `probeKind` until one is heard; the listener's workers must run that kind.
 */
import type { Reelqueue } from '../../src/app.js';
import { DIALECT } from './test-database.js';
import { waitFor } from './wait.js';

export async function hearing(listener: Reelqueue, sender: Reelqueue, probeKind: string): Promise<void> {
  // SQLite's apps in one process share their signals: heard at once, nothing to wait for.
  if (DIALECT === 'sqlite') return;
  let heard = false;
  const unsubscribe = listener.jobs.onJobAvailable(() => (heard = true));
  try {
    await waitFor(
      async () => {
        if (!heard) await sender.enqueue({ kind: probeKind });
        return heard;
      },
      { what: 'the process to hear wake-ups', intervalMs: 200 },
    );
  } finally {
    unsubscribe();
  }
}
