/**
 * Chapters: one per slide, titled with the slide's title (and one for the title slide, titled with
 * the lesson's), written into the MP4 from an FFMETADATA file and returned in the job's result.
 */

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
