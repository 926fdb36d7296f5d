/** Reads ffmpeg's `-progress pipe:1` output: blocks of `key=value` lines, each ended by `progress=…`. */

export interface FfmpegProgress {
  /** Frames written so far. */
  readonly frame: number | undefined;
  /** Output time written so far, in seconds. */
  readonly outTimeSeconds: number | undefined;
  readonly done: boolean;
}

export function createProgressParser(
  onProgress: (progress: FfmpegProgress) => void,
): (chunk: string) => void {
  let partial = '';
  let fields = new Map<string, string>();
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const equals = line.indexOf('=');
      if (equals < 0) continue;
      const key = line.slice(0, equals).trim();
      const value = line.slice(equals + 1).trim();
      fields.set(key, value);
      if (key !== 'progress') continue;
      const frame = Number(fields.get('frame'));
      // Old builds only print out_time_ms, which despite its name is in microseconds.
      const micros = Number(fields.get('out_time_us') ?? fields.get('out_time_ms'));
      onProgress({
        frame: Number.isFinite(frame) ? frame : undefined,
        outTimeSeconds: Number.isFinite(micros) && micros >= 0 ? micros / 1e6 : undefined,
        done: value === 'end',
      });
      fields = new Map();
    }
  };
}
