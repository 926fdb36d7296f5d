/** Slides: measured wrapping, literal text in the SVG, and real PNGs from resvg. */
import { describe, expect, it } from 'vitest';
import type { LessonSlide } from '../../src/render/lesson/model.js';
import { parsePresentationRequest } from '../../src/render/lesson/payload.js';
import { defaultSlideSvg } from '../../src/render/slides/default-slide.js';
import { DEFAULT_FONT_DIR, loadSlideFonts } from '../../src/render/slides/fonts.js';
import { svgToPng } from '../../src/render/slides/rasterize.js';
import {
  layoutScroll,
  scrollFrameSvg,
  scrollSlideSvg,
  scrollTravel,
} from '../../src/render/slides/scrolling.js';
import { escapeXml } from '../../src/render/slides/svg.js';
import { closingSlideSvg, titleSlideSvg } from '../../src/render/slides/title-slides.js';
import { ELLIPSIS, wrapText } from '../../src/render/slides/text-layout.js';
import { thumbnailSvg } from '../../src/render/thumbnail.js';

const fonts = await loadSlideFonts();

function pngSizeOf(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The text of every `<text>` element, unescaped, in order. */
function textsOf(svg: string): string[] {
  const entities: Record<string, string> = {
    '&amp;': '&',
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&apos;': "'",
  };
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, text]) =>
    (text ?? '').replace(/&(amp|lt|gt|quot|apos);/g, (entity) => entities[entity] as string),
  );
}

const context = { lessonTitle: 'Lesson', index: 0, count: 3, width: 1280, height: 720, fonts };

describe('wrapText', () => {
  it('keeps every line within the width, by the font’s real advance widths', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(8);
    const lines = wrapText(text, fonts.regular, 30, 500);
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) expect(fonts.regular.measure(line, 30)).toBeLessThanOrEqual(500);
    expect(lines.join(' ')).toBe(text.trim());
    // Wide letters take more room than narrow ones.
    expect(fonts.regular.measure('WWWW', 30)).toBeGreaterThan(2 * fonts.regular.measure('iiii', 30));
  });

  it('breaks a word longer than a line between graphemes, keeping emoji whole', () => {
    const word = `${'a'.repeat(60)}👩‍🔬${'b'.repeat(60)}`;
    const lines = wrapText(word, fonts.regular, 30, 300);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join('')).toBe(word);
    expect(lines.some((line) => line.includes('👩‍🔬'))).toBe(true);
  });
});

describe('default slides', () => {
  it('writes hostile text literally, escaped once, and resvg draws it', async () => {
    const hostile =
      'It\'s <b>&amp;</b> "100%" $(id) `id` -y -f lavfi movie=/etc/passwd file:///etc/passwd \\ ; , : 🎉 שלום';
    const slide: LessonSlide = { title: hostile, bullets: [hostile], narration: 'n' };
    const svg = defaultSlideSvg(slide, context);
    expect(svg).not.toContain('<b>');
    expect(svg).toContain(escapeXml('<b>&amp;</b>'));
    const texts = textsOf(svg);
    for (const word of hostile.split(' ')) expect(texts.join(' ')).toContain(word);
    expect(pngSizeOf(await svgToPng(svg, fonts))).toEqual({ width: 1280, height: 720 });
  });

  it('shrinks long content to fit and cuts what still does not fit with an ellipsis', () => {
    const slide: LessonSlide = {
      title: 'T',
      bullets: Array(12).fill('A bullet point with quite a few words in it. '.repeat(4)),
      narration: 'n',
    };
    const texts = textsOf(defaultSlideSvg(slide, context));
    expect(texts.some((text) => text.endsWith(ELLIPSIS))).toBe(true);
    const sizes = [...defaultSlideSvg(slide, context).matchAll(/font-size="([\d.]+)"/g)].map(([, size]) =>
      Number(size),
    );
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(18);
  });

  it('shows the narration when a slide has no bullets, and the slide number', () => {
    const texts = textsOf(
      defaultSlideSvg({ title: 'T', bullets: [], narration: 'Said aloud.' }, { ...context, index: 1 }),
    );
    expect(texts).toEqual(['T', 'Said aloud.', 'Lesson', '2 / 3']);
  });
});

/** Each `<text>` element's text, font size and baseline. */
function textRuns(svg: string): { text: string; fontSize: number; y: number; bold: boolean }[] {
  return [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" font-size="([\d.]+)"([^>]*)>([^<]*)<\/text>/g)].map(
    ([, y, fontSize, rest, text]) => ({
      text: text ?? '',
      fontSize: Number(fontSize),
      y: Number(y),
      bold: (rest ?? '').includes('bold'),
    }),
  );
}

describe('default slide layout', () => {
  const contentWidth = 1280 - 2 * 80;

  it('puts a short body in the middle of the room under the title, larger than a full slide’s text', () => {
    const short = defaultSlideSvg(
      { title: 'Evaporation', bullets: ['Water turns into vapour', 'Vapour rises'], narration: 'n' },
      context,
    );
    const full = defaultSlideSvg(
      { title: 'Evaporation', bullets: Array(8).fill('A bullet point of a few words'), narration: 'n' },
      context,
    );
    const body = (svg: string) =>
      textRuns(svg)
        .filter((run) => run.text !== 'Evaporation')
        .slice(0, -2);
    const shortBody = body(short);
    expect(shortBody).toHaveLength(2);
    expect(shortBody[0]?.fontSize).toBeGreaterThan(body(full)[0]?.fontSize as number);
    // The room under the title runs from about y = 200 to the footer at y = 640: the body's middle is
    // near its middle, not at the top.
    const middle = ((shortBody[0]?.y as number) + (shortBody[1]?.y as number)) / 2;
    expect(middle).toBeGreaterThan(360);
    expect(middle).toBeLessThan(460);
  });

  it('draws a single short line large, not small in an empty slide', () => {
    const runs = textRuns(
      defaultSlideSvg({ title: 'One', bullets: ['Water boils'], narration: 'n' }, context),
    );
    expect(runs[1]?.text).toBe('Water boils');
    expect(runs[1]?.fontSize).toBeGreaterThanOrEqual(50);
  });

  it('grows bullets only while none of them wraps onto another line', () => {
    const bullets = ['Light energy splits the water and releases oxygen', 'Short'];
    const runs = textRuns(defaultSlideSvg({ title: 'T', bullets, narration: 'n' }, context));
    expect(runs.slice(1, 3).map((run) => run.text)).toEqual(bullets);
  });

  it('shrinks a title to keep it on one line before wrapping it', () => {
    const title = 'Precipitation, collection and the long way back';
    const runs = textRuns(defaultSlideSvg({ title, bullets: ['b'], narration: 'n' }, context));
    const titleRuns = runs.filter((run) => run.bold && run.fontSize >= 30);
    expect(titleRuns.map((run) => run.text)).toEqual([title]);
    expect(titleRuns[0]?.fontSize).toBeLessThan(56);
    expect(fonts.bold.measure(title, titleRuns[0]?.fontSize as number)).toBeLessThanOrEqual(contentWidth);
  });

  it.each([
    ['landscape', 1280, 720],
    ['portrait', 720, 1280],
  ])('wraps the longest title allowed onto more lines without cutting it (%s)', (_, width, height) => {
    const title = 'A very long slide title about the water cycle and its parts '
      .repeat(4)
      .slice(0, 200)
      .trim();
    const runs = textRuns(
      defaultSlideSvg({ title, bullets: ['b'], narration: 'n' }, { ...context, width, height }),
    );
    const titleRuns = runs.filter((run) => run.bold && run.text !== '1 / 3');
    expect(titleRuns.map((run) => run.text).join(' ')).toBe(title);
    const margin = Math.max(80, width * 0.06);
    for (const run of titleRuns) {
      expect(fonts.bold.measure(run.text, run.fontSize)).toBeLessThanOrEqual(width - 2 * margin);
    }
    // The body still shows under the title, above the footer.
    const bullet = runs.find((run) => run.text === 'b');
    expect(bullet?.y).toBeGreaterThan(titleRuns.at(-1)?.y as number);
    expect(bullet?.y).toBeLessThan(height - 64);
  });

  it.each([
    ['landscape', 1280, 720],
    ['portrait', 720, 1280],
  ])('shows the longest lesson title whole on the title and closing slides (%s)', (_, width, height) => {
    const title = 'How the water cycle moves water between the oceans, the air and the land '
      .repeat(3)
      .slice(0, 200)
      .trim();
    const lesson = parsePresentationRequest({
      lesson: { title, slides: [{ title: 'S', narration: 'N' }] },
    }).lesson;
    const cards = { style: 'default' as const, width, height, fonts };
    for (const svg of [titleSlideSvg(lesson, cards), closingSlideSvg(lesson, cards)]) {
      const titleRuns = textRuns(svg).filter((run) => run.bold);
      expect(titleRuns.map((run) => run.text).join(' ')).toBe(title);
    }
  });

  it('cuts only the closing slide’s too-long topic, not the size of the whole list', () => {
    const lesson = parsePresentationRequest({
      lesson: {
        title: 'Tides',
        slides: [
          { title: 'Moon', narration: 'N' },
          { title: 'Sun', narration: 'N' },
          {
            title:
              'Why the tide comes in twice a day, and why that matters to everyone who lives by the sea, fishes in it, sails on it, or walks along its shore at low water',
            narration: 'N',
          },
        ],
      },
    }).lesson;
    const runs = textRuns(closingSlideSvg(lesson, { style: 'default', width: 1280, height: 720, fonts }));
    const moon = runs.find((run) => run.text === 'Moon');
    expect(moon?.fontSize).toBeGreaterThanOrEqual(20);
    expect(runs.some((run) => run.text.startsWith('Why the tide') && run.text.endsWith(ELLIPSIS))).toBe(true);
  });
});

describe('scrolling slides', () => {
  const request = parsePresentationRequest({
    lesson: {
      title: 'Tides',
      slides: [
        { title: 'One', narration: 'First slide text. '.repeat(10) },
        { title: 'Two', narration: 'Second slide text.' },
      ],
    },
    style: 'scrolling',
    resolution: '640x360',
  });
  const layout = layoutScroll(request.lesson, request.resolution, fonts);

  it('draws each slide as an image taller than the frame by the distance its text travels', async () => {
    for (const index of [0, 1]) {
      const png = await svgToPng(scrollSlideSvg(layout, index), fonts);
      expect(pngSizeOf(png)).toEqual({ width: 640, height: 360 + scrollTravel(layout, index) });
    }
    expect(scrollTravel(layout, 0)).toBeGreaterThan(scrollTravel(layout, 1));
  });

  it('highlights the slide being spoken and dims the others', () => {
    const dimmed = (svg: string): string[] =>
      [...svg.matchAll(/<text[^>]*fill-opacity[^>]*>([^<]*)</g)].map(([, text]) => text ?? '');
    expect(dimmed(scrollFrameSvg(layout, 0))).toContain('Two');
    expect(dimmed(scrollFrameSvg(layout, 1))).not.toContain('Two');
  });
});

describe('thumbnails', () => {
  it.each(['default', 'scrolling'] as const)('draws a 640×360 thumbnail of the %s style', async (style) => {
    const request = parsePresentationRequest({
      lesson: { title: 'T', slides: [{ title: 'S', narration: 'N' }] },
      style,
    });
    expect(pngSizeOf(await svgToPng(thumbnailSvg(request, fonts), fonts))).toEqual({
      width: 640,
      height: 360,
    });
  });
});

describe('fonts', () => {
  it('says which package to install when the DejaVu fonts are missing', async () => {
    await expect(loadSlideFonts('/nonexistent-fonts')).rejects.toThrow(/fonts-dejavu-core/);
    expect(DEFAULT_FONT_DIR).toBe('/usr/share/fonts/truetype/dejavu');
  });
});
