/** The encoder's parts: slide timing, the ffmpeg command, progress parsing, killing a child on abort. */
import { describe, expect, it } from 'vitest';
import { checkFfmpegCapabilities } from '../../src/render/ffmpeg/capabilities.js';
import {
  encodeArgs,
  filterGraph,
  joinSegmentsArgs,
  segmentList,
  type EncodePlan,
} from '../../src/render/ffmpeg/encode-args.js';
import { createProgressParser, type FfmpegProgress } from '../../src/render/ffmpeg/progress.js';
import { ProcessFailedError, runProcess } from '../../src/render/ffmpeg/run-process.js';
import { buildTimeline } from '../../src/render/ffmpeg/timeline.js';
import { binaries, processExists, waitFor } from './support.js';

describe('buildTimeline', () => {
  it('starts each slide on the frame nearest its narration, so errors never add up', () => {
    const durations = [1.013, 2.019, 0.517, 3.333];
    const timeline = buildTimeline(durations, 25);
    let start = 0;
    for (const [index, duration] of durations.entries()) {
      expect(Math.abs((timeline.startFrames[index] as number) / 25 - start)).toBeLessThanOrEqual(0.5 / 25);
      start += duration;
    }
    expect(timeline.totalFrames).toBe(Math.round(start * 25));
    expect(timeline.frameCounts.reduce((sum, count) => sum + count, 0)).toBe(timeline.totalFrames);
  });
});

describe('encodeArgs', () => {
  const plan: EncodePlan = {
    slides: [
      { imagePath: '/work/a b/-y.png', frames: 30 },
      { imagePath: '/work/a b/%d:x.png', frames: 45 },
    ],
    audioPath: '/work/a b/narration.wav',
    outputPath: '/work/a b/out.mp4',
    width: 320,
    height: 180,
    fps: 25,
  };

  it('holds each decoded image with tpad instead of looping the input', () => {
    const args = encodeArgs(plan);
    expect(args).not.toContain('-loop');
    expect(filterGraph(plan)).toBe(
      '[0:v]format=yuv420p,tpad=stop=29:stop_mode=clone[s0];[1:v]format=yuv420p,tpad=stop=44:stop_mode=clone[s1];' +
        '[s0][s1]concat=n=2:v=1:a=0,setsar=1[v]',
    );
    expect(args[args.indexOf('-framerate') + 1]).toBe('25');
    expect(args.join(' ')).toContain('-movflags +faststart');
    expect(args[args.indexOf('-force_key_frames') + 1]).toBe('0.000000,1.200000');
  });

  it('names every file with file: and allows only the file and pipe protocols', () => {
    const args = encodeArgs(plan);
    const inputs = args.flatMap((arg, index) => (args[index - 1] === '-i' ? [arg] : []));
    expect(inputs).toEqual([
      'file:/work/a b/-y.png',
      'file:/work/a b/%d:x.png',
      'file:/work/a b/narration.wav',
    ]);
    expect(args.at(-1)).toBe('file:/work/a b/out.mp4');
    for (const index of args.flatMap((arg, at) => (arg === '-i' ? [at] : []))) {
      expect(args.slice(0, index).lastIndexOf('-protocol_whitelist')).toBeGreaterThan(index - 9);
    }
    expect(args.filter((arg) => arg === 'file,pipe').length).toBeGreaterThanOrEqual(3);
    expect(args[args.indexOf('-pattern_type') + 1]).toBe('none');
  });

  it('slides a window down each scrolling image at the speed that covers its travel', () => {
    const graph = filterGraph({
      ...plan,
      slides: [{ imagePath: '/a.png', frames: 50, scrollPixels: 100 }],
      overlayPath: '/o.png',
    });
    expect(graph).toBe(
      '[0:v]format=yuv444p,tpad=stop=49:stop_mode=clone,crop=w=320:h=180:x=0:y=t*50.000000[s0];' +
        '[s0]concat=n=1:v=1:a=0[body];[body][1:v]overlay=x=0:y=0:eof_action=repeat,format=yuv420p,setsar=1[v]',
    );
  });
});

describe('joining segments', () => {
  it('lists segment files for the concat demuxer with quotes escaped', () => {
    expect(segmentList(['/w/segment-001.mp4', "/w/it's/segment-002.mp4"])).toBe(
      "file 'file:/w/segment-001.mp4'\nfile 'file:/w/it'\\''s/segment-002.mp4'\n",
    );
  });

  it('copies the video and encodes only the narration', () => {
    const args = joinSegmentsArgs('/w/segments.txt', '/w/narration.wav', '/w/out.mp4');
    expect(args.join(' ')).toContain('-f concat -safe 0 -i file:/w/segments.txt');
    expect(args[args.indexOf('-c:v') + 1]).toBe('copy');
    expect(args.at(-1)).toBe('file:/w/out.mp4');
  });
});

describe('createProgressParser', () => {
  it('reports each block, split across chunks, with frames and time', () => {
    const seen: FfmpegProgress[] = [];
    const parse = createProgressParser((progress) => seen.push(progress));
    parse('frame=10\nout_time_us=400000\nprogr');
    parse('ess=continue\nframe=25\nout_time_ms=1000000\nprogress=end\n');
    expect(seen).toEqual([
      { frame: 10, outTimeSeconds: 0.4, done: false },
      { frame: 25, outTimeSeconds: 1, done: true },
    ]);
  });
});

describe('runProcess', () => {
  it('kills the child on abort and rejects only once it has exited', async () => {
    let pid: number | undefined;
    const controller = new AbortController();
    const reason = new Error('stop');
    // An encode that never ends on its own: a null source into the null muxer, with no input files.
    const running = runProcess(
      binaries.ffmpeg,
      ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'nullsrc=s=64x64', '-f', 'null', '-'],
      { signal: controller.signal, onSpawn: (spawned) => (pid = spawned) },
    );
    await waitFor(() => pid, 5000, 'ffmpeg to start');
    const abortedAt = Date.now();
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect(processExists(pid as number)).toBe(false);
  });

  it('rejects with the exit code and the end of stderr when the command fails', async () => {
    const failing = runProcess(binaries.ffmpeg, [
      '-nostdin',
      '-v',
      'error',
      '-i',
      'file:/nonexistent.png',
      '-f',
      'null',
      '-',
    ]);
    await expect(failing).rejects.toBeInstanceOf(ProcessFailedError);
    await expect(failing).rejects.toThrow(/exited with code 1: .*nonexistent/);
  });

  it('a stdout handler that throws stops the child and rejects with its error (never an uncaught exception)', async () => {
    let pid: number | undefined;
    const broken = new Error('progress handler failed');
    // Never ends on its own, and prints progress to stdout.
    const running = runProcess(
      binaries.ffmpeg,
      [
        '-nostdin',
        '-v',
        'error',
        '-progress',
        'pipe:1',
        '-f',
        'lavfi',
        '-i',
        'nullsrc=s=64x64',
        '-f',
        'null',
        '-',
      ],
      {
        onSpawn: (spawned) => (pid = spawned),
        onStdout: () => {
          throw broken;
        },
      },
    );
    await expect(running).rejects.toBe(broken);
    expect(processExists(pid as number)).toBe(false);
  });

  it('a binary that cannot be started rejects (never an uncaught exception)', async () => {
    await expect(runProcess('/nonexistent/ffmpeg', ['-version'])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('checkFfmpegCapabilities', () => {
  it('finds tpad, libx264 and aac in the bundled ffmpeg', async () => {
    const capabilities = await checkFfmpegCapabilities(binaries.ffmpeg);
    expect(capabilities.missing).toEqual([]);
    expect(capabilities.version).not.toBe('unknown');
  });
});
