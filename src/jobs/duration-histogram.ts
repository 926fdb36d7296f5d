/**
 * The log-scale processing-time histogram of the statistics rollups. Bucket i holds the times t
 * with GROWTH^(i-1) < t ≤ GROWTH^i seconds (times under 1 ms count as 1 ms); the databases compute
 * the same index in SQL (`ceil(ln(max(t, 0.001)) / ln(1.05))`). A bucket is read as the value whose
 * relative distance to both of its bounds is the same, 2·GROWTH^i / (GROWTH + 1), so any value read
 * from it is within RELATIVE_ERROR (2.44 %) of every time the bucket holds.
 */
import { percentileIndex } from './statistics.js';

export const GROWTH = 1.05;
export const RELATIVE_ERROR = (GROWTH - 1) / (GROWTH + 1);

export interface DurationBucket {
  bucket: number;
  jobs: number;
}

export function bucketValue(bucket: number): number {
  return Number(((2 * GROWTH ** bucket) / (GROWTH + 1)).toPrecision(6));
}

/** The nearest-rank percentile `p` of the times counted in `buckets` (any order), as a bucket's value. */
export function histogramPercentile(buckets: readonly DurationBucket[], p: number): number | null {
  const sorted = buckets.filter((b) => b.jobs > 0).sort((a, b) => a.bucket - b.bucket);
  const count = sorted.reduce((sum, b) => sum + b.jobs, 0);
  if (count === 0) return null;
  const rank = percentileIndex(p, count);
  let seen = 0;
  for (const b of sorted) {
    seen += b.jobs;
    if (seen > rank) return bucketValue(b.bucket);
  }
  return bucketValue(sorted[sorted.length - 1]!.bucket);
}

/** The value of the highest bucket holding a time: the largest time within RELATIVE_ERROR. */
export function histogramMax(buckets: readonly DurationBucket[]): number | null {
  let top: number | null = null;
  for (const b of buckets) if (b.jobs > 0 && (top === null || b.bucket > top)) top = b.bucket;
  return top === null ? null : bucketValue(top);
}
