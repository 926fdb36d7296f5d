/** Lessons the render scenarios queue: real renders (speech, slides, ffmpeg), kept small. */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JsonObject } from '../../src/jobs/model.js';

/** About a second of rendering at 320×180. */
export const SMALL_LESSON: JsonObject = {
  lesson: {
    title: 'Clouds',
    slides: [
      { title: 'What clouds are', narration: 'Clouds are tiny droplets of water.' },
      { title: 'Why they float', narration: 'The droplets are light and ride the air.' },
    ],
  },
  resolution: '320x180',
};

const SENTENCE =
  'Water evaporates from the sea, rises as vapour, cools, and falls again as rain on the hills. ';

/** Long enough that ffmpeg encodes for a few seconds: something to cancel mid-encode. */
export const LONG_LESSON: JsonObject = {
  lesson: {
    title: 'The water cycle',
    slides: Array.from({ length: 4 }, (_, i) => ({
      title: `Part ${i + 1}`,
      narration: SENTENCE.repeat(4).trim(),
    })),
  },
  resolution: '640x360',
};

/** Entries anywhere under `<tmpdir>/reelqueue` whose name holds the job's id (its work folder). */
export function workFoldersOf(jobId: string): string[] {
  try {
    const root = path.join(tmpdir(), 'reelqueue');
    return readdirSync(root, { recursive: true })
      .map(String)
      .filter((entry) => path.basename(entry).includes(jobId));
  } catch {
    return [];
  }
}
