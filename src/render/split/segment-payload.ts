/**
 * The payload of a `presentation-segment` job: which presentation it belongs to and which run of
 * its shots it draws and encodes, with their exact frame counts (`segments.ts`). Written by the
 * owner's planning run, never by a user, so parsing only checks the shape.
 */
import type { CaptionCue } from '../captions/cues.js';
import { ReelqueueError } from '../../errors.js';
import { isJsonObject } from '../../jobs/kinds.js';
import type { JsonObject } from '../../jobs/model.js';
import type { Shot } from '../reveal.js';

export const SEGMENT_KIND = 'presentation-segment';
/** The artifact kind of a segment's video-only MP4 (deleted once the owner joined them). */
export const SEGMENT_VIDEO = 'segment-video';

export interface SegmentPayload {
  /** The user's presentation job this segment is part of. */
  readonly ownerId: string;
  readonly index: number;
  readonly count: number;
  /** The presentation payload as rendered (`presentationPayload` of the polished request). */
  readonly presentation: JsonObject;
  readonly fps: number;
  readonly firstFrame: number;
  readonly frames: number;
  readonly items: readonly number[];
  readonly shots: readonly Shot[];
  /** Burned captions only: the cues of its frames, timed from its first frame. */
  readonly burnedCues: readonly CaptionCue[] | null;
}

export function segmentPayloadJson(payload: SegmentPayload): JsonObject {
  return {
    owner_id: payload.ownerId,
    index: payload.index,
    count: payload.count,
    presentation: payload.presentation,
    fps: payload.fps,
    first_frame: payload.firstFrame,
    frames: payload.frames,
    items: [...payload.items],
    shots: payload.shots.map((shot) => ({
      item: shot.item,
      shown_bullets: shot.shownBullets ?? null,
      frames: shot.frames,
    })),
    burned_cues:
      payload.burnedCues === null
        ? null
        : payload.burnedCues.map((cue) => ({
            lines: [...cue.lines],
            start_seconds: cue.startSeconds,
            end_seconds: cue.endSeconds,
          })),
  };
}

function invalid(message: string): ReelqueueError {
  return new ReelqueueError('INVALID_PAYLOAD', `presentation-segment payload: ${message}`);
}

const wholeNumber = (value: unknown, name: string): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw invalid(`${name} must be a whole number`);
  return value;
};

export function parseSegmentPayload(input: unknown): SegmentPayload {
  if (!isJsonObject(input)) throw invalid('must be an object');
  if (typeof input.owner_id !== 'string') throw invalid('owner_id must be a job id');
  if (!isJsonObject(input.presentation)) throw invalid('presentation must be an object');
  if (!Array.isArray(input.items) || !Array.isArray(input.shots))
    throw invalid('items and shots must be lists');
  const shots = input.shots.map((shot): Shot => {
    if (!isJsonObject(shot)) throw invalid('a shot must be an object');
    const shown = shot.shown_bullets;
    return {
      item: wholeNumber(shot.item, 'shot.item'),
      shownBullets:
        shown === null || shown === undefined ? undefined : wholeNumber(shown, 'shot.shown_bullets'),
      frames: wholeNumber(shot.frames, 'shot.frames'),
    };
  });
  const cues = input.burned_cues;
  return {
    ownerId: input.owner_id,
    index: wholeNumber(input.index, 'index'),
    count: wholeNumber(input.count, 'count'),
    presentation: input.presentation,
    fps: wholeNumber(input.fps, 'fps'),
    firstFrame: wholeNumber(input.first_frame, 'first_frame'),
    frames: wholeNumber(input.frames, 'frames'),
    items: input.items.map((item) => wholeNumber(item, 'item')),
    shots,
    burnedCues: Array.isArray(cues)
      ? cues.map((cue) => {
          if (!isJsonObject(cue) || !Array.isArray(cue.lines)) throw invalid('a cue must be an object');
          return {
            lines: cue.lines.map(String),
            startSeconds: Number(cue.start_seconds),
            endSeconds: Number(cue.end_seconds),
          };
        })
      : null,
  };
}
