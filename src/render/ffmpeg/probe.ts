/** What ffprobe says about a media file (its JSON output), reduced to the fields we use. */
import { fileUrl } from './binaries.js';
import { readProcessOutput } from './run-process.js';

export interface ProbedStream {
  readonly codecType: string;
  readonly codecName: string;
  readonly width: number | undefined;
  readonly height: number | undefined;
  /** Frames per second, for video streams. */
  readonly frameRate: number | undefined;
  readonly frameCount: number | undefined;
  readonly durationSeconds: number | undefined;
  readonly sampleRate: number | undefined;
}

export interface ProbeResult {
  readonly formatName: string;
  readonly durationSeconds: number;
  readonly sizeBytes: number;
  readonly streams: readonly ProbedStream[];
}

interface RawProbe {
  format?: { format_name?: string; duration?: string; size?: string };
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    nb_frames?: string;
    duration?: string;
    sample_rate?: string;
  }[];
}

function toNumber(value: string | number | undefined): number | undefined {
  const number = Number(value);
  return value === undefined || !Number.isFinite(number) ? undefined : number;
}

function rate(value: string | undefined): number | undefined {
  const [numerator, denominator] = (value ?? '').split('/').map(Number);
  if (!numerator || !denominator) return undefined;
  return numerator / denominator;
}

export async function probe(
  path: string,
  options: { ffprobePath: string; signal?: AbortSignal },
): Promise<ProbeResult> {
  const output = await readProcessOutput(
    options.ffprobePath,
    [
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      fileUrl(path),
    ],
    { signal: options.signal },
  );
  const raw = JSON.parse(output) as RawProbe;
  return {
    formatName: raw.format?.format_name ?? '',
    durationSeconds: toNumber(raw.format?.duration) ?? 0,
    sizeBytes: toNumber(raw.format?.size) ?? 0,
    streams: (raw.streams ?? []).map((stream) => ({
      codecType: stream.codec_type ?? '',
      codecName: stream.codec_name ?? '',
      width: stream.width,
      height: stream.height,
      frameRate: rate(stream.avg_frame_rate),
      frameCount: toNumber(stream.nb_frames),
      durationSeconds: toNumber(stream.duration),
      sampleRate: toNumber(stream.sample_rate),
    })),
  };
}
