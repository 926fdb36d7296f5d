/**
 * How a split render's progress reads, the same in `reelqueue jobs show` and on the dashboard's job
 * page: in how many segments it is rendered and how many are done. No imports: the dashboard
 * bundles it.
 */
export interface SplitStatus {
  readonly segments: number;
  readonly done: number;
}

export function splitStatusLine(status: SplitStatus): string {
  return `rendered in ${status.segments} segments, ${status.done} done`;
}
