/**
 * Captions and chapters on real renders (real eSpeak NG, resvg and the bundled ffmpeg and ffprobe):
 * the WebVTT file, the subtitle track and chapters in the MP4, captions drawn into the picture, and
 * the options that turn the title slide, closing slide and captions off.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePresentationRequest } from '../../src/render/lesson/payload.js';
import { renderPresentation, type RenderedPresentation } from '../../src/render/pipeline.js';
import { videoSequence } from '../../src/render/sequence.js';
import { binaries, decodeGreyFrames, makeTempDir } from './support.js';

const run = promisify(execFile);
const FPS = 25;
const WIDTH = 320;
const HEIGHT = 180;

const lesson = {
  title: 'Tides & <Moons>',
  subtitle: 'Why the sea rises',
  slides: [
    {
      title: 'The Moon pulls',
      bullets: ['Gravity'],
      narration:
        'The Moon pulls on the oceans. Its gravity raises a bulge of water on the side of the Earth that faces it, and another bulge on the far side.',
    },
    {
      title: 'Two tides a day',
      bullets: ['High tide', 'Low tide'],
      narration: 'So most coasts see two high tides a day. Sailors check a tide table!',
    },
  ],
};
const payload = { lesson, resolution: `${WIDTH}x${HEIGHT}` };

interface ParsedCue {
  start: number;
  end: number;
  lines: string[];
}

/** A strict reading of the WebVTT we write: header, then numbered cues with `hh:mm:ss.mmm` times. */
function parseVtt(text: string): ParsedCue[] {
  const [header, ...blocks] = text.trimEnd().split('\n\n');
  expect(header).toBe('WEBVTT');
  const time = (value: string): number => {
    const match = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(value);
    if (!match) throw new Error(`bad timestamp ${value}`);
    const [, h, m, s, ms] = match.map(Number) as [number, number, number, number, number];
    return h * 3600 + m * 60 + s + ms / 1000;
  };
  return blocks.map((block, index) => {
    const [id, timing, ...lines] = block.split('\n');
    expect(id).toBe(String(index + 1));
    const [start, end] = (timing ?? '').split(' --> ');
    return { start: time(start ?? ''), end: time(end ?? ''), lines };
  });
}

const unescape = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Where ffmpeg's silencedetect finds the narration silent: [start, end] pairs in seconds. */
async function silences(wavPath: string): Promise<{ starts: number[]; ends: number[] }> {
  const { stderr } = await run(binaries.ffmpeg, [
    '-hide_banner',
    '-nostdin',
    '-i',
    wavPath,
    '-af',
    'silencedetect=noise=-40dB:d=0.08',
    '-f',
    'null',
    '-',
  ]);
  const numbers = (name: string) =>
    [...stderr.matchAll(new RegExp(`${name}: (-?[\\d.]+)`, 'g'))].map((match) => Number(match[1]));
  return { starts: numbers('silence_start'), ends: numbers('silence_end') };
}

async function ffprobeJson(path: string): Promise<{
  streams: { codec_type: string; codec_name: string; tags?: Record<string, string> }[];
  chapters: { start_time: string; tags: { title: string } }[];
  format: { duration: string; tags?: Record<string, string> };
}> {
  // prettier-ignore
  const { stdout } = await run(binaries.ffprobe, [
    '-v', 'error', '-print_format', 'json', '-show_streams', '-show_chapters', '-show_format', path,
  ]);
  return JSON.parse(stdout) as Awaited<ReturnType<typeof ffprobeJson>>;
}

let cache: Awaited<ReturnType<typeof makeTempDir>>;
const dirs: Awaited<ReturnType<typeof makeTempDir>>[] = [];
let soft: RenderedPresentation;

async function render(extra: Record<string, unknown>): Promise<RenderedPresentation> {
  const dir = await makeTempDir('rq-captions-work-');
  dirs.push(dir);
  return renderPresentation({
    payload: { ...payload, ...extra },
    workDir: dir.path,
    ttsCacheDir: cache.path,
  });
}

beforeAll(async () => {
  cache = await makeTempDir('rq-captions-cache-');
  soft = await render({});
});

afterAll(async () => {
  await Promise.all([cache.remove(), ...dirs.map((dir) => dir.remove())]);
});

describe('captions of a real render', () => {
  it('writes a WebVTT file whose cues say the whole narration in order, two lines of at most 42 characters, within the audio', async () => {
    const cues = parseVtt(await readFile(soft.captionsPath as string, 'utf8'));
    const sentences = videoSequence(parsePresentationRequest(payload)).flatMap((item) =>
      item.kind === 'closing' ? [] : item.sentences,
    );
    expect(cues.map((cue) => unescape(cue.lines.join(' '))).join(' ')).toBe(sentences.join(' '));
    for (const cue of cues) {
      expect(cue.lines.length).toBeGreaterThanOrEqual(1);
      expect(cue.lines.length).toBeLessThanOrEqual(2);
      for (const line of cue.lines) expect([...unescape(line)].length).toBeLessThanOrEqual(42);
      expect(cue.end).toBeGreaterThan(cue.start);
    }
    for (let index = 1; index < cues.length; index++)
      expect(cues[index]!.start).toBeGreaterThanOrEqual(cues[index - 1]!.end);
    const audio = await ffprobeJson(join(soft.captionsPath as string, '..', 'narration.wav'));
    expect(cues.at(-1)!.end).toBeLessThanOrEqual(Number(audio.format.duration));
    // The long sentence needs more than one cue; the title's markup characters arrive escaped.
    expect(cues.length).toBeGreaterThan(sentences.length);
    expect(await readFile(soft.captionsPath as string, 'utf8')).toContain('Tides &amp; &lt;Moons&gt;');
  });

  it('starts and ends each sentence’s captions within 100 ms of where ffmpeg hears its speech start and stop', async () => {
    const cues = parseVtt(await readFile(soft.captionsPath as string, 'utf8'));
    const sentences = videoSequence(parsePresentationRequest(payload)).flatMap((item) =>
      item.kind === 'closing' ? [] : item.sentences,
    );
    const quiet = await silences(join(soft.captionsPath as string, '..', 'narration.wav'));
    const near = (value: number, points: number[]) =>
      Math.min(...points.map((point) => Math.abs(point - value)));
    let cue = 0;
    for (const sentence of sentences) {
      const first = cues[cue]!;
      let said = '';
      let last = first;
      while (said.length < sentence.length) {
        last = cues[cue++]!;
        said = `${said} ${unescape(last.lines.join(' '))}`.trim();
      }
      expect(said).toBe(sentence);
      // Speech starts where a silence ends (or at the very start); it stops where a silence starts.
      expect(near(first.start, [0, ...quiet.ends]), `start of "${sentence}"`).toBeLessThanOrEqual(0.1);
      expect(near(last.end, quiet.starts), `end of "${sentence}"`).toBeLessThanOrEqual(0.1);
    }
  });

  it('embeds the captions as a mov_text track tagged with the language, and a chapter per slide titled with its title', async () => {
    const probed = await ffprobeJson(soft.videoPath);
    const subtitles = probed.streams.filter((stream) => stream.codec_type === 'subtitle');
    expect(subtitles).toHaveLength(1);
    expect(subtitles[0]).toMatchObject({ codec_name: 'mov_text', tags: { language: 'eng' } });
    expect(probed.chapters.map((chapter) => chapter.tags.title)).toEqual([
      'Tides & <Moons>',
      'The Moon pulls',
      'Two tides a day',
    ]);
    expect(probed.chapters.map((chapter) => Number(chapter.start_time))).toEqual(
      soft.chapters.map((chapter) => chapter.startSeconds),
    );
    expect(soft.chapters.map((chapter) => chapter.startSeconds)).toEqual(soft.imageStartTimes.slice(0, 3));
    expect(probed.format.tags?.title).toBe('Tides & <Moons>');
    // The track says what the file says: ffmpeg reads it back out as the same cues.
    // prettier-ignore
    const { stdout } = await run(binaries.ffmpeg, ['-v', 'error', '-i', soft.videoPath, '-map', '0:s:0', '-f', 'webvtt', '-']);
    const fromFile = parseVtt(await readFile(soft.captionsPath as string, 'utf8'));
    const embedded = stdout.trimEnd().split('\n\n').slice(1);
    expect(embedded).toHaveLength(fromFile.length);
    expect(embedded.map((block) => block.split('\n').slice(1).join(' '))).toEqual(
      fromFile.map((cue) => unescape(cue.lines.join(' '))),
    );
  });

  it('burns the captions into the picture: frames differ from the soft render only in the caption band, and only while a cue is up', async () => {
    const burned = await render({ captions: 'burned' });
    expect(burned.captionCues).toEqual(soft.captionCues);
    const [plainFrames, burnedFrames] = await Promise.all([
      decodeGreyFrames(soft.videoPath, WIDTH, HEIGHT),
      decodeGreyFrames(burned.videoPath, WIDTH, HEIGHT),
    ]);
    expect(burnedFrames.length).toBe(plainFrames.length);
    const band = Math.round(HEIGHT * 0.6);
    const difference = (a: Uint8Array, b: Uint8Array, from: number, to: number) => {
      let total = 0;
      for (let index = from * WIDTH; index < to * WIDTH; index++) total += Math.abs(a[index]! - b[index]!);
      return total / ((to - from) * WIDTH);
    };
    let withCue = 0;
    let withoutCue = 0;
    plainFrames.forEach((plain, frame) => {
      const burnedFrame = burnedFrames[frame]!;
      const t = frame / FPS;
      // Above the caption band the pictures are the same in every frame.
      expect(difference(plain, burnedFrame, 0, band), `frame ${frame} above the band`).toBeLessThan(0.5);
      const showing = soft.captionCues.some(
        (cue) => t > cue.startSeconds + 0.08 && t < cue.endSeconds - 0.08,
      );
      const near = soft.captionCues.some((cue) => t > cue.startSeconds - 0.08 && t < cue.endSeconds + 0.08);
      if (showing) {
        withCue++;
        expect(difference(plain, burnedFrame, band, HEIGHT), `frame ${frame} in the band`).toBeGreaterThan(3);
      } else if (!near) {
        withoutCue++;
        expect(difference(plain, burnedFrame, band, HEIGHT), `frame ${frame} without a cue`).toBeLessThan(
          0.5,
        );
      }
    });
    expect(withCue).toBeGreaterThan(100);
    // The closing slide is silent: no caption there.
    expect(withoutCue).toBeGreaterThan(3 * FPS);
  });

  it('leaves out the title slide, the closing slide and the captions when asked', async () => {
    const plain = await render({ captions: 'off', title_slide: false, closing_slide: false });
    expect(plain.captionsPath).toBeUndefined();
    expect(plain.imageStartTimes).toHaveLength(2);
    expect(await readdir(join(plain.videoPath, '..'))).not.toContain('captions.vtt');
    const probed = await ffprobeJson(plain.videoPath);
    expect(probed.streams.filter((stream) => stream.codec_type === 'subtitle')).toEqual([]);
    expect(probed.chapters.map((chapter) => chapter.tags.title)).toEqual([
      'The Moon pulls',
      'Two tides a day',
    ]);
    expect(Number(probed.chapters[0]?.start_time)).toBe(0);
    // Without the title slide's speech and the closing slide's silence, the video is that much shorter.
    expect(soft.durationSeconds - plain.durationSeconds).toBeGreaterThan(4);
  });
});
