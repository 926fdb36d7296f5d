/** Bullets that appear as they are spoken: which sentence brings each bullet, and the shots. */
import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../src/render/ffmpeg/timeline.js';
import { parsePresentationRequest } from '../../src/render/lesson/payload.js';
import { revealedBullets, revealSentences, videoShots } from '../../src/render/reveal.js';
import { videoSequence } from '../../src/render/sequence.js';

describe('revealSentences', () => {
  it('brings one bullet per sentence when they are as many, the first with the first sentence', () => {
    expect(revealSentences(3, 3)).toEqual([0, 1, 2]);
  });

  it('spreads fewer bullets over more sentences, and brings several at once when sentences are few', () => {
    expect(revealSentences(2, 4)).toEqual([0, 2]);
    expect(revealSentences(4, 2)).toEqual([0, 0, 1, 1]);
  });
});

describe('videoShots', () => {
  const request = parsePresentationRequest({
    lesson: {
      title: 'Tides',
      slides: [
        { title: 'Moon', bullets: ['A', 'B', 'C'], narration: 'One. Two. Three.' },
        { title: 'Sun', bullets: ['D', 'E'], narration: 'Only one sentence.' },
      ],
    },
    reveal_bullets: true,
  });
  const items = videoSequence(request);
  // Title (1 s), slide 1 (three sentences of 1 s), slide 2 (1 s), closing (4 s).
  const timeline = buildTimeline([1, 3, 1, 4], 25);
  const sentences = [0, 1, 2, 3, 4].map((second) => ({
    text: `s${second}`,
    startSeconds: second + 0.1,
    endSeconds: second + 0.9,
  }));

  it('reveals only the default style’s slides with two or more bullets and sentences', () => {
    expect(items.map((item) => revealedBullets(request, item))).toEqual([0, 3, 0, 0]);
    const scrolling = { ...request, style: 'scrolling' as const };
    expect(items.map((item) => revealedBullets(scrolling, item))).toEqual([0, 0, 0, 0]);
    const off = { ...request, revealBullets: false };
    expect(items.map((item) => revealedBullets(off, item))).toEqual([0, 0, 0, 0]);
  });

  it('starts each bullet’s image on the frame where its sentence’s sound starts', () => {
    const shots = videoShots(
      items,
      items.map((item) => revealedBullets(request, item)),
      sentences,
      timeline,
    );
    expect(shots).toEqual([
      { item: 0, shownBullets: undefined, frames: 25 },
      // Slide 1 starts at frame 25; its second sentence's sound at 2.1 s (frame 53), its third at 3.1 s.
      { item: 1, shownBullets: 1, frames: 28 },
      { item: 1, shownBullets: 2, frames: 25 },
      { item: 1, shownBullets: undefined, frames: 22 },
      { item: 2, shownBullets: undefined, frames: 25 },
      { item: 3, shownBullets: undefined, frames: 100 },
    ]);
    expect(shots.reduce((sum, shot) => sum + shot.frames, 0)).toBe(timeline.totalFrames);
  });
});
