/** Cues as a WebVTT file (https://www.w3.org/TR/webvtt1/): what players and the `<track>` element read. */
import type { CaptionCue } from './cues.js';

/** `hh:mm:ss.ttt`, rounded to the millisecond. */
export function vttTimestamp(seconds: number): string {
  const millis = Math.max(0, Math.round(seconds * 1000));
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const hours = Math.floor(millis / 3_600_000);
  const minutes = Math.floor(millis / 60_000) % 60;
  const secs = Math.floor(millis / 1000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}.${pad(millis % 1000, 3)}`;
}

/** Cue text is markup: `&`, `<` and `>` are written as entities (which also keeps `-->` out of it). */
function escapeCueText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function formatWebVtt(cues: readonly CaptionCue[]): string {
  const body = cues.map(
    (cue, index) =>
      `${index + 1}\n${vttTimestamp(cue.startSeconds)} --> ${vttTimestamp(cue.endSeconds)}\n` +
      `${cue.lines.map(escapeCueText).join('\n')}\n`,
  );
  return ['WEBVTT\n', ...body].join('\n');
}
