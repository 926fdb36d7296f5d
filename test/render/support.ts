/** Helpers for the render tests: temp folders, decoding frames with the real ffmpeg, comparing images. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '../../src/render/ffmpeg/binaries.js';

const run = promisify(execFile);

export const binaries = resolveFfmpegBinaries();

export async function makeTempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Width and height from a PNG's IHDR chunk. */
export async function pngSize(path: string): Promise<{ width: number; height: number }> {
  const png = await readFile(path);
  if (png.toString('latin1', 1, 4) !== 'PNG' || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error(`${path} is not a PNG`);
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Every frame of a video, scaled to `width`×`height`, as 8-bit grey pixels. */
export async function decodeGreyFrames(video: string, width: number, height: number): Promise<Uint8Array[]> {
  const { stdout } = await run(
    binaries.ffmpeg,
    [
      '-v',
      'error',
      '-nostdin',
      '-i',
      video,
      '-vf',
      `scale=${width}:${height},format=gray`,
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const size = width * height;
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset + size <= stdout.length; offset += size)
    frames.push(stdout.subarray(offset, offset + size));
  return frames;
}

/** A `height`-row window of an image starting at row `top`, decoded like the video's frames. */
export async function decodeGreyWindow(
  image: string,
  top: number,
  frameWidth: number,
  frameHeight: number,
  width: number,
  height: number,
): Promise<Uint8Array> {
  // prettier-ignore
  const { stdout } = await run(
    binaries.ffmpeg,
    [
      '-v', 'error', '-nostdin', '-i', image,
      '-vf', `crop=${frameWidth}:${frameHeight}:0:${top},format=yuv420p,scale=${width}:${height},format=gray`,
      '-f', 'rawvideo', 'pipe:1',
    ],
    { encoding: 'buffer' },
  );
  return stdout;
}

/** Mean absolute difference of two grey images, over the rows from `fromRow` to `toRow`. */
export function meanDifference(
  a: Uint8Array,
  b: Uint8Array,
  width: number,
  fromRow: number,
  toRow: number,
): number {
  let total = 0;
  for (let index = fromRow * width; index < toRow * width; index++)
    total += Math.abs((a[index] ?? 0) - (b[index] ?? 0));
  return total / ((toRow - fromRow) * width);
}

/** Pids of running processes whose command line mentions `text`. */
export async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const commandLine = await readFile(`/proc/${entry}/cmdline`, 'latin1');
      if (commandLine.includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every file under `dir`, as paths relative to it. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1))
    .sort();
}
