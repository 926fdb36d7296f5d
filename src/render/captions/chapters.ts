/**
 * Chapters: one per slide, titled with the slide's title (and one for the title slide, titled with
 * the lesson's), written into the MP4 from an FFMETADATA file and returned in the job's result.
 */
import type { Timeline } from '../ffmpeg/timeline.js';
import type { SequenceItem } from '../sequence.js';

export interface Chapter {
  readonly title: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/** FFMETADATA escapes `=`, `;`, `#`, `\` and line breaks with a backslash. */
function escapeMetadata(text: string): string {
  return text.replace(/[=;#\\\n]/g, (character) => `\\${character}`);
}

/** The FFMETADATA file: the video's title and its chapters. */
export function chaptersMetadata(chapters: readonly Chapter[], title: string): string {
  const sections = chapters.map(
    (chapter) =>
      `[CHAPTER]\nTIMEBASE=1/1000\nSTART=${Math.round(chapter.startSeconds * 1000)}\n` +
      `END=${Math.round(chapter.endSeconds * 1000)}\ntitle=${escapeMetadata(chapter.title)}\n`,
  );
  return `;FFMETADATA1\ntitle=${escapeMetadata(title)}\n${sections.join('')}`;
}

const seconds = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * A chapter for the title slide and each lesson slide, from the first frame of its image; the
 * closing slide belongs to the last chapter, which runs to the end of the video.
 */
export function chaptersOf(items: readonly SequenceItem[], timeline: Timeline): Chapter[] {
  const end = timeline.totalFrames / timeline.fps;
  const starts: { title: string; startSeconds: number }[] = [];
  items.forEach((item, index) => {
    if (item.kind !== 'closing') {
      const frame = timeline.startFrames[index] as number;
      starts.push({ title: item.chapter, startSeconds: seconds(frame / timeline.fps) });
    }
  });
  return starts.map((chapter, index) => ({
    ...chapter,
    endSeconds: starts[index + 1]?.startSeconds ?? seconds(end),
  }));
}
