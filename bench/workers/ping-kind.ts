/** The job kind the pickup scenario uses on reelqueue: its handler reports when it started. */
import type { JobKind } from '../../src/jobs/kinds.js';
import { nowNs } from '../lib/clock.js';

export const PING_KIND = 'bench_ping';

export function pingKind(onStart: (startedNs: bigint, jobId: string) => void = () => undefined): JobKind {
  return {
    name: PING_KIND,
    parsePayload: (input) =>
      typeof input === 'object' && input !== null && !Array.isArray(input)
        ? (input as Record<string, never>)
        : {},
    async run({ job }) {
      onStart(nowNs(), job.id);
      return {};
    },
  };
}
