/**
 * Checks that an ffmpeg binary can run our encode: the `tpad` filter (ffmpeg 4.2 or a late-2018
 * build), `libx264` and the `aac` encoder. For a start-up check or a `doctor` command, so that a
 * FFMPEG_PATH pointing at an old or minimal build fails clearly before any job runs.
 */
import { readProcessOutput } from './run-process.js';

export const REQUIRED_FILTERS = ['tpad', 'concat', 'crop', 'overlay', 'format'] as const;
export const REQUIRED_ENCODERS = ['libx264', 'aac'] as const;

export interface FfmpegCapabilities {
  readonly version: string;
  /** Filters and encoders we need that this build lacks; empty when it can render. */
  readonly missing: readonly string[];
}

function names(listing: string): Set<string> {
  // Lines look like " ... tpad   V->V   Temporarily pad video frames." or " V..... libx264   libx264 H.264 …".
  return new Set(listing.split('\n').map((line) => line.trim().split(/\s+/)[1] ?? ''));
}

export async function checkFfmpegCapabilities(
  ffmpegPath: string,
  signal?: AbortSignal,
): Promise<FfmpegCapabilities> {
  const run = (args: string[]): Promise<string> =>
    readProcessOutput(ffmpegPath, ['-hide_banner', ...args], { signal });
  const [version, filters, encoders] = await Promise.all([
    run(['-version']),
    run(['-filters']),
    run(['-encoders']),
  ]);
  const haveFilters = names(filters);
  const haveEncoders = names(encoders);
  return {
    version: /^ffmpeg version (\S+)/.exec(version)?.[1] ?? 'unknown',
    missing: [
      ...REQUIRED_FILTERS.filter((filter) => !haveFilters.has(filter)).map((filter) => `filter ${filter}`),
      ...REQUIRED_ENCODERS.filter((encoder) => !haveEncoders.has(encoder)).map(
        (encoder) => `encoder ${encoder}`,
      ),
    ],
  };
}
