/**
 * Which ffmpeg and ffprobe to run: the paths the caller passes (from FFMPEG_PATH / FFPROBE_PATH in
 * the config), else the static builds of `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe`.
 * Nothing here reads the environment.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

export interface FfmpegBinaryOptions {
  readonly ffmpegPath?: string | undefined;
  readonly ffprobePath?: string | undefined;
}

function installerPath(packageName: string): string {
  const { path } = require(packageName) as { path: string };
  return path;
}

export function resolveFfmpegBinaries(options: FfmpegBinaryOptions = {}): FfmpegBinaries {
  return {
    ffmpeg: options.ffmpegPath ?? installerPath('@ffmpeg-installer/ffmpeg'),
    ffprobe: options.ffprobePath ?? installerPath('@ffprobe-installer/ffprobe'),
  };
}

/**
 * A file path as an ffmpeg URL. The explicit `file:` protocol keeps a path that contains `:` from being
 * read as another protocol and one that starts with `-` from being read as an option.
 */
export function fileUrl(absolutePath: string): string {
  if (!absolutePath.startsWith('/')) throw new Error(`ffmpeg paths must be absolute: ${absolutePath}`);
  return `file:${absolutePath}`;
}
