/**
 * The last run of a split render: fetches the segments' video-only MP4s and the narration, joins the
 * segments without re-encoding them (ffmpeg's concat demuxer, `-c:v copy`) and encodes the whole
 * narration once, with the captions and chapters: the same command that joins the single render's
 * own segments (encode-args.ts `joinSegmentsArgs`), so the audio is continuous by construction.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArtifactStore } from '../../artifacts/store.js';
import { joinSegmentsArgs, segmentList } from '../ffmpeg/encode-args.js';
import { createProgressParser } from '../ffmpeg/progress.js';
import { probe } from '../ffmpeg/probe.js';
import { runProcess } from '../ffmpeg/run-process.js';

export async function downloadArtifact(
  artifacts: ArtifactStore,
  artifactId: string,
  path: string,
  signal: AbortSignal,
): Promise<void> {
  await pipeline(Readable.from(artifacts.read(artifactId)), createWriteStream(path), { signal });
}

export interface AssembleInput {
  readonly workDir: string;
  readonly segmentArtifactIds: readonly string[];
  readonly narrationArtifactId: string;
  readonly captionsArtifactId: string | null;
  readonly subtitleLanguage: string;
  readonly metadata: string;
  readonly totalFrames: number;
  readonly fps: number;
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly signal: AbortSignal;
  /** Fraction (0–1) of the assembly done. */
  readonly onProgress: (fraction: number) => void;
}

export async function assembleSegments(
  artifacts: ArtifactStore,
  input: AssembleInput,
): Promise<{ videoPath: string; durationSeconds: number }> {
  const { workDir, signal } = input;
  const segmentPaths = input.segmentArtifactIds.map((_, index) =>
    join(workDir, `segment-${String(index + 1).padStart(3, '0')}.mp4`),
  );
  const parts = input.segmentArtifactIds.length + 1 + (input.captionsArtifactId === null ? 0 : 1);
  let fetched = 0;
  const fetch = async (id: string, path: string): Promise<void> => {
    await downloadArtifact(artifacts, id, path, signal);
    input.onProgress((0.5 * ++fetched) / parts);
  };
  for (const [index, id] of input.segmentArtifactIds.entries())
    await fetch(id, segmentPaths[index] as string);
  const audioPath = join(workDir, 'narration.wav');
  await fetch(input.narrationArtifactId, audioPath);
  const subtitlesPath = input.captionsArtifactId === null ? undefined : join(workDir, 'captions.vtt');
  if (input.captionsArtifactId !== null) await fetch(input.captionsArtifactId, subtitlesPath as string);
  const metadataPath = join(workDir, 'metadata.txt');
  await writeFile(metadataPath, input.metadata);
  const listPath = join(workDir, 'segments.txt');
  await writeFile(listPath, segmentList(segmentPaths));
  const videoPath = join(workDir, 'presentation.mp4');
  const args = joinSegmentsArgs(listPath, audioPath, videoPath, {
    ...(subtitlesPath && { subtitlesPath, subtitleLanguage: input.subtitleLanguage }),
    metadataPath,
  });
  const parse = createProgressParser((report) => {
    const frames = report.frame ?? (report.outTimeSeconds ?? 0) * input.fps;
    input.onProgress(0.5 + 0.5 * Math.min(1, frames / input.totalFrames));
  });
  await runProcess(input.ffmpegPath, args, { signal, onStdout: parse, cwd: workDir });
  const probed = await probe(videoPath, { ffprobePath: input.ffprobePath, signal });
  return { videoPath, durationSeconds: probed.durationSeconds };
}
