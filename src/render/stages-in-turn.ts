/**
 * Speech, drawing and the encode run at once, but their progress is reported one stage after the
 * other, so a job's stages still read speak → draw → encode and its percentage never goes back: the
 * drawing's reports wait until the speech is done, the encode's until both are done and the number of
 * frames in the video is known.
 */
import type { ProgressReporter } from './progress.js';

export interface StagesInTurn {
  /** `done` of `total` images drawn. */
  drew(done: number, total: number): void;
  /** Every image is drawn. */
  drawn(): void;
  /** The narration is whole. */
  spoke(): void;
  /** The video will have this many frames. */
  encodeSized(totalFrames: number): void;
  /** This many frames of the video are encoded. */
  encoded(frames: number): void;
  /** The video is written. */
  encodedAll(): void;
}

/** The join copies the video and encodes only the audio: the last 2% of the encode. */
const SEGMENTS_SHARE = 0.98;

export function reportedInTurn(progress: ProgressReporter): StagesInTurn {
  let spoken = false;
  let drawn = false;
  let encoding = false;
  let drawReport: (() => void) | undefined;
  let totalFrames: number | undefined;
  let framesDone = 0;
  const reportEncode = (): void => {
    if (!encoding || totalFrames === undefined) return;
    const fraction = Math.min(1, framesDone / totalFrames) * SEGMENTS_SHARE;
    progress.report('encode', fraction, 'Encoding the video');
  };
  const startEncode = (): void => {
    if (encoding || !spoken || !drawn || totalFrames === undefined) return;
    encoding = true;
    progress.report('encode', 0, 'Encoding the video');
    reportEncode();
  };
  return {
    drew(done, total) {
      drawReport = () => progress.report('draw', done / total, `Drew image ${done} of ${total}`);
      if (spoken) drawReport();
    },
    drawn() {
      drawn = true;
      startEncode();
    },
    spoke() {
      spoken = true;
      progress.report('draw', 0, 'Drawing the slides');
      drawReport?.();
    },
    encodeSized(frames) {
      totalFrames = frames;
      startEncode();
    },
    encoded(frames) {
      framesDone = Math.max(framesDone, frames);
      reportEncode();
    },
    encodedAll() {
      encoding = true;
      progress.report('encode', 1, 'Encoding the video');
    },
  };
}
