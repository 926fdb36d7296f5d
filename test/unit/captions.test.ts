/** Caption text and timing, the WebVTT writer and the chapters file: pure functions, no render. */
import { describe, expect, it } from 'vitest';
import { titleFromFileName } from '../../src/cli/commands/render.js';
import { chaptersMetadata } from '../../src/render/captions/chapters.js';
import { captionCues, cuesBetween } from '../../src/render/captions/cues.js';
import { captionLanguage } from '../../src/render/captions/language.js';
import { CAPTION_LINE_CHARS, captionBlocks, charCount } from '../../src/render/captions/lines.js';
import { splitSentences } from '../../src/render/captions/sentences.js';
import { formatWebVtt, vttTimestamp } from '../../src/render/captions/webvtt.js';

const LONG =
  'Inside the cloud, droplets bump into each other and merge, and when they grow too heavy to float ' +
  'they fall as rain, snow or hail onto the mountains, the fields and the towns below them.';

describe('splitSentences', () => {
  it('splits at sentence ends and paragraph breaks, not before a lower-case word', () => {
    expect(splitSentences('Rain falls. Snow too! Is hail rain? Yes…\n\nA new paragraph')).toEqual([
      'Rain falls.',
      'Snow too!',
      'Is hail rain?',
      'Yes…',
      'A new paragraph',
    ]);
    expect(splitSentences('Use e.g. a cup. "Quoted." (Aside.) Next')).toEqual([
      'Use e.g. a cup.',
      '"Quoted."',
      '(Aside.)',
      'Next',
    ]);
  });
});

describe('captionBlocks', () => {
  it('keeps every word whole and in order, at most two lines of at most 42 characters a cue', () => {
    for (const text of [LONG, 'Short.', `${'word '.repeat(60)}end.`, 'Émile’s café — naïve 🎉 emoji, ok?']) {
      const blocks = captionBlocks(text);
      for (const lines of blocks) {
        expect(lines.length).toBeGreaterThanOrEqual(1);
        expect(lines.length).toBeLessThanOrEqual(2);
        for (const line of lines) expect(charCount(line)).toBeLessThanOrEqual(CAPTION_LINE_CHARS);
      }
      expect(blocks.flat().join(' ')).toBe(text.trim().split(/\s+/).join(' '));
    }
  });

  it('never cuts a word longer than a line: it gets a line of its own', () => {
    const word = 'x'.repeat(50);
    const blocks = captionBlocks(`A ${word} b.`);
    expect(blocks.flat()).toContain(word);
    expect(blocks.flat().join(' ')).toBe(`A ${word} b.`);
  });

  it('shares a long sentence between cues of about equal length instead of leaving a stub', () => {
    const blocks = captionBlocks(
      'Photosynthesis begins when chlorophyll, the green pigment in a leaf, absorbs sunlight.',
    );
    expect(blocks).toHaveLength(2);
    const sizes = blocks.map((lines) => charCount(lines.join(' ')));
    expect(Math.min(...sizes)).toBeGreaterThan(30);
  });
});

describe('captionCues', () => {
  it('times each sentence by its sound and its cues by their share of its characters, in order, without overlaps', () => {
    const cues = captionCues([
      { text: 'Short one.', startSeconds: 0.01, endSeconds: 0.9 },
      { text: LONG, startSeconds: 1.2, endSeconds: 11.2 },
    ]);
    expect(cues[0]?.lines).toEqual(['Short one.']);
    expect(cues[0]?.startSeconds).toBe(0.01);
    expect(cues[0]?.endSeconds).toBeCloseTo(0.9, 9);
    expect(cues[1]?.startSeconds).toBe(1.2);
    expect(cues.at(-1)?.endSeconds).toBeCloseTo(11.2, 6);
    for (let index = 1; index < cues.length; index++) {
      expect(cues[index]!.startSeconds).toBeGreaterThanOrEqual(cues[index - 1]!.endSeconds - 1e-9);
    }
  });

  it('cuts the cues of one piece of a video and times them from its start', () => {
    const cues = captionCues([
      { text: 'One.', startSeconds: 0, endSeconds: 1 },
      { text: 'Two.', startSeconds: 2, endSeconds: 3 },
    ]);
    expect(cuesBetween(cues, 0.5, 2.5)).toEqual([
      { lines: ['One.'], startSeconds: 0, endSeconds: 0.5 },
      { lines: ['Two.'], startSeconds: 1.5, endSeconds: 2 },
    ]);
  });
});

describe('formatWebVtt', () => {
  it('writes the header, numbered cues with millisecond times, and escapes markup', () => {
    const vtt = formatWebVtt([
      { startSeconds: 0, endSeconds: 1.5, lines: ['a <b> & c', 'x --> y'] },
      { startSeconds: 3661.2345, endSeconds: 3662, lines: ['later'] },
    ]);
    expect(vtt).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\na &lt;b&gt; &amp; c\nx --&gt; y\n\n' +
        '2\n01:01:01.235 --> 01:01:02.000\nlater\n',
    );
    expect(vttTimestamp(59.9996)).toBe('00:01:00.000');
  });
});

describe('chaptersMetadata', () => {
  it('escapes the characters FFMETADATA gives meaning to', () => {
    expect(chaptersMetadata([{ title: 'a=b; #c \\ d\ne', startSeconds: 0, endSeconds: 2.5 }], 'T=1')).toBe(
      ';FFMETADATA1\ntitle=T\\=1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=2500\ntitle=a\\=b\\; \\#c \\\\ d\\\ne\n',
    );
  });
});

describe('captionLanguage', () => {
  it('maps voices to a BCP 47 tag and the MP4 track’s ISO 639-2 code', () => {
    expect(captionLanguage('en-us')).toEqual({ bcp47: 'en-US', iso639: 'eng' });
    expect(captionLanguage('de')).toEqual({ bcp47: 'de', iso639: 'ger' });
    expect(captionLanguage('es-419')).toEqual({ bcp47: 'es-419', iso639: 'spa' });
    expect(captionLanguage('en-gb-scotland')).toEqual({ bcp47: 'en-GB', iso639: 'eng' });
  });
});

describe('titleFromFileName', () => {
  it('turns a plain script’s file name into the title its title slide shows and speaks', () => {
    expect(titleFromFileName('examples/how-vaccines-work.txt')).toBe('How vaccines work');
    expect(titleFromFileName('/tmp/water_cycle.v2.txt')).toBe('Water cycle v2');
    expect(titleFromFileName('---.txt')).toBe('Lesson');
  });
});
