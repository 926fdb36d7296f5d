/**
 * When a failed attempt runs again: RETRY_DELAYS gives the delay before each retry (the last one
 * repeats), spread by ±RETRY_JITTER so that jobs failing together do not retry together.
 */
export interface RetryPolicy {
  readonly delaysSeconds: readonly number[];
  readonly jitter: number;
}

/** Seconds to wait before retry number `retryCount + 1`, or null when no retry is left. */
export function retryDelaySeconds(
  policy: RetryPolicy,
  job: { retryCount: number; maxRetries: number },
  random: () => number = Math.random,
): number | null {
  if (job.retryCount >= job.maxRetries) return null;
  const delays = policy.delaysSeconds;
  const base = delays[Math.min(job.retryCount, delays.length - 1)] ?? 0;
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, base + spread);
}
