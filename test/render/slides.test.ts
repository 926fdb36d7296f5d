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
