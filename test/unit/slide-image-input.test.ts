/**
 * Slide images as a lesson submits them: where they may come from (a data URL or an asset, never a URL
 * or a path), what they are (sniffed from their bytes), how large they say they are (read from the
 * header, before decoding), and whether an SVG is safe. Each refusal has its stable code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReelqueueError } from '../../src/errors.js';
import { IMAGE_LIMITS } from '../../src/render/images/limits.js';
import { sniffImage } from '../../src/render/images/sniff.js';
import { decodeBase64, parseImageSource } from '../../src/render/images/source.js';
import { parsePresentationPayload, parsePresentationRequest } from '../../src/render/lesson/payload.js';
import {
  bombPng,
  dataUrl,
  jpegHeader,
  solidPng,
  svgDataUrl,
  webpCanvasHiding,
  webpVp8xHeader,
} from '../support/test-images.js';

const IMAGE_CODES = [
  'IMAGE_TOO_LARGE',
  'IMAGE_FORMAT_UNSUPPORTED',
  'IMAGE_SOURCE_REFUSED',
  'IMAGE_INVALID',
  'SVG_UNSAFE',
];

function codeOf(action: () => unknown): { code: string; details: Record<string, unknown> | undefined } {
  try {
    action();
  } catch (error) {
    if (isReelqueueError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('expected a refusal, but it was accepted');
}

const RED = solidPng(8, 6, [255, 0, 0]);

const lessonWith = (image: unknown, extra: Record<string, unknown> = {}) => ({
  lesson: { title: 'Colours', slides: [{ title: 'Red', narration: 'This is red.', image }] },
  ...extra,
});

describe('image sources', () => {
  it('reads a base64 data URL back to the very bytes that were encoded, whatever they are', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 2000 }),
        fc.constantFrom('image/png', '', 'x/y'),
        (bytes, type) => {
          const source = parseImageSource(
            `data:${type};base64,${Buffer.from(bytes).toString('base64')}`,
            'src',
          );
          expect(source.kind).toBe('data');
          expect(source.kind === 'data' && [...source.bytes]).toEqual([...bytes]);
        },
      ),
    );
  });

  it('refuses every http(s) URL as remote_url, and every other scheme or path without reading it', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http', 'https'] }), (url) => {
        expect(codeOf(() => parseImageSource(url, 'src'))).toMatchObject({
          code: 'IMAGE_SOURCE_REFUSED',
          details: { reason: 'remote_url' },
        });
      }),
    );
    for (const [src, reason] of [
      ['HTTPS://example.com/a.png', 'remote_url'],
      ['file:///etc/passwd', 'scheme'],
      ['ftp://example.com/a.png', 'scheme'],
      ['javascript:alert(1)', 'scheme'],
      ['/etc/passwd', 'file_path'],
      ['../secrets/key.png', 'file_path'],
      ['picture.png', 'file_path'],
      ['asset:../etc/passwd', 'asset_name'],
    ] as const) {
      expect(
        codeOf(() => parseImageSource(src, 'src')),
        src,
      ).toMatchObject({
        code: 'IMAGE_SOURCE_REFUSED',
        details: { reason },
      });
    }
  });

  it('answers any string either with a source or with one of the image codes, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((rest) => `data:${rest}`),
          fc.string().map((rest) => `data:image/png;base64,${rest}`),
          fc.string().map((rest) => `asset:${rest}`),
        ),
        (src) => {
          try {
            const source = parseImageSource(src, 'src');
            expect(['data', 'asset']).toContain(source.kind);
          } catch (error) {
            expect(isReelqueueError(error) && IMAGE_CODES.includes(error.code), String(error)).toBe(true);
          }
        },
      ),
    );
  });

  it('refuses base64 that would decode past the size limit before decoding it', () => {
    const tooBig = 'A'.repeat(Math.ceil((IMAGE_LIMITS.maxImageBytes + 3) / 3) * 4);
    expect(codeOf(() => decodeBase64(tooBig, 'src'))).toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      details: { reason: 'bytes', limit: IMAGE_LIMITS.maxImageBytes },
    });
    expect(codeOf(() => decodeBase64('abc', 'src')).code).toBe('IMAGE_INVALID');
    expect(codeOf(() => decodeBase64('ab$=', 'src')).code).toBe('IMAGE_INVALID');
  });
});

describe('image formats and sizes, from the bytes', () => {
  it('reads the format and the declared size of PNG, JPEG, WebP and SVG', () => {
    expect(sniffImage(solidPng(40, 30, [0, 0, 0]), 'f')).toEqual({ format: 'png', width: 40, height: 30 });
    expect(sniffImage(jpegHeader(640, 480), 'f')).toEqual({ format: 'jpeg', width: 640, height: 480 });
    expect(sniffImage(webpVp8xHeader(300, 200), 'f')).toEqual({ format: 'webp', width: 300, height: 200 });
    const svg = Buffer.from(
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"/>',
    );
    expect(sniffImage(svg, 'f')).toEqual({ format: 'svg', width: 40, height: 20 });
  });

  it('trusts the bytes, not the declared media type', () => {
    const request = parsePresentationRequest(lessonWith({ src: dataUrl(RED, 'image/jpeg'), alt: 'red' }));
    expect(request.lesson.slides[0]?.image).toMatchObject({ format: 'png', width: 8, height: 6 });
    expect(request.lesson.slides[0]?.image?.href.startsWith('data:image/png;base64,')).toBe(true);
  });

  it('refuses a decompression bomb (a tiny PNG declaring 50000×50000) from its header', () => {
    const bomb = bombPng(50_000, 50_000);
    expect(bomb.length).toBeLessThan(20_000);
    expect(codeOf(() => sniffImage(bomb, 'f'))).toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      details: { reason: 'pixels', width: 50_000, height: 50_000, limit: IMAGE_LIMITS.maxPixels },
    });
    expect(codeOf(() => sniffImage(jpegHeader(65_000, 65_000), 'f')).code).toBe('IMAGE_TOO_LARGE');
    expect(codeOf(() => sniffImage(webpVp8xHeader(16_000, 16_000), 'f')).code).toBe('IMAGE_TOO_LARGE');
    // A small canvas does not hide a large bitstream: the decoder would size its picture from the latter.
    expect(sniffImage(webpCanvasHiding([100, 100], [100, 100]), 'f')).toMatchObject({ width: 100 });
    expect(codeOf(() => sniffImage(webpCanvasHiding([10, 10], [16_000, 16_000]), 'f')).details).toMatchObject(
      {
        reason: 'pixels',
        width: 16_000,
      },
    );
  });

  it('refuses GIF, BMP, an animated WebP and bytes that are no image, naming what it saw', () => {
    expect(codeOf(() => sniffImage(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'f'))).toMatchObject({
      code: 'IMAGE_FORMAT_UNSUPPORTED',
      details: { detected: 'gif' },
    });
    expect(codeOf(() => sniffImage(Buffer.from('BM\0\0\0\0', 'latin1'), 'f')).details).toMatchObject({
      detected: 'bmp',
    });
    expect(codeOf(() => sniffImage(webpVp8xHeader(10, 10, true), 'f')).details).toMatchObject({
      detected: 'animated webp',
    });
    expect(codeOf(() => sniffImage(Buffer.from('hello, world'), 'f')).code).toBe('IMAGE_FORMAT_UNSUPPORTED');
    expect(codeOf(() => sniffImage(RED.subarray(0, 20), 'f')).code).toBe('IMAGE_INVALID');
  });
});

describe('SVG safety', () => {
  const svg = (body: string, attributes = '') =>
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"${attributes}>${body}</svg>`;

  it.each([
    ['a script element', svg('<script>alert(1)</script>'), 'script'],
    ['a namespaced script', svg('<svg:script>alert(1)</svg:script>'), 'script'],
    ['an onload handler', svg('<rect width="1" height="1"/>', ' onload="alert(1)"'), 'event_handler'],
    ['an onclick on a child', svg('<rect onclick="x()" width="1" height="1"/>'), 'event_handler'],
    [
      'an external href',
      svg('<image href="https://example.com/a.png" width="1" height="1"/>'),
      'external_reference',
    ],
    ['an xlink:href to a file', svg('<image xlink:href="file:///etc/passwd"/>'), 'external_reference'],
    ['a nested data image', svg('<image href="data:image/png;base64,AAAA"/>'), 'external_reference'],
    ['a use of another file', svg('<use href="other.svg#a"/>'), 'external_reference'],
    ['a CSS url() to a server', svg('<rect style="fill:url(http://example.com/x)"/>'), 'external_reference'],
    ['a CSS @import', svg('<style>@import "http://example.com/a.css";</style>'), 'external_reference'],
    [
      'a foreignObject',
      svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'),
      'foreign_object',
    ],
    ['a javascript: link', svg('<a href="javascript:alert(1)"><rect/></a>'), 'script'],
    [
      'a DOCTYPE with entities',
      `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>${svg('&a;')}`,
      'doctype',
    ],
  ])('refuses an SVG with %s (SVG_UNSAFE)', (_what, text, reason) => {
    expect(codeOf(() => parsePresentationPayload(lessonWith(svgDataUrl(text))))).toMatchObject({
      code: 'SVG_UNSAFE',
      details: { reason, field: 'lesson.slides[0].image.src' },
    });
  });

  it('accepts an SVG with the plain DOCTYPE editors write (no DTD is loaded)', () => {
    const text =
      '<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: Adobe Illustrator -->\n' +
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' +
      svg('<rect width="10" height="10" fill="red"/>', ' xml:space="preserve"');
    expect(parsePresentationRequest(lessonWith(svgDataUrl(text))).lesson.slides[0]?.image?.format).toBe(
      'svg',
    );
  });

  it('accepts an SVG that refers only to its own fragments', () => {
    const safe = svg(
      '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient><rect id="r" width="5" height="5"/></defs><use href="#r"/><rect width="10" height="10" fill="url(#g)"/>',
    );
    expect(parsePresentationRequest(lessonWith(svgDataUrl(safe))).lesson.slides[0]?.image).toMatchObject({
      format: 'svg',
      width: 10,
      height: 10,
    });
  });
});

describe('images in a lesson', () => {
  it('stores assets the slides use, once each, and parsing the stored form again gives the same', () => {
    const payload = parsePresentationPayload({
      lesson: {
        title: 'Colours',
        slides: [
          { title: 'One', narration: 'One.', image: { src: 'asset:red', alt: '  A red   square ' } },
          { title: 'Two', narration: 'Two.', image: 'asset:red' },
          { title: 'Three', narration: 'Three.', image: { src: dataUrl(RED), alt: 'inline' } },
        ],
      },
      assets: [
        { name: 'red', content_base64: RED.toString('base64') },
        { name: 'unused', content_base64: RED.toString('base64') },
      ],
    });
    const lesson = payload.lesson as { slides: { image: unknown }[]; assets: unknown };
    expect(lesson.slides.map((slide) => slide.image)).toEqual([
      { src: 'asset:red', alt: 'A red square' },
      { src: 'asset:red', alt: '' },
      { src: dataUrl(RED), alt: 'inline' },
    ]);
    expect(lesson.assets).toEqual([{ name: 'red', content_base64: RED.toString('base64') }]);
    expect(parsePresentationPayload(payload)).toEqual(payload);
  });

  it('takes ![alt](src) out of a Markdown slide and makes it the slide image', () => {
    const request = parsePresentationRequest({
      markdown:
        '# Colours\n\n## Red\n\n![A red square](asset:red)\n\nRed is warm.\n\n## Plain\n\n- No picture here\n',
      assets: [{ name: 'red', content_base64: RED.toString('base64') }],
    });
    expect(request.lesson.slides.map((slide) => [slide.narration, slide.image?.alt])).toEqual([
      ['Red is warm.', 'A red square'],
      ['No picture here.', undefined],
    ]);
    expect(
      codeOf(() => parsePresentationRequest({ markdown: '## A\n\n![x](asset:a) ![y](asset:a)\n\nText.' }))
        .details,
    ).toMatchObject({ reason: 'TOO_MANY_IMAGES' });
    // An inline data URL is an image, not script text: it does not count towards the text limit.
    const noisy = Buffer.concat([RED, Buffer.alloc(30_000, 7)]);
    const inline = parsePresentationRequest({ markdown: `## A\n\n![noise](${dataUrl(noisy)})\n\nText.` });
    expect(inline.lesson.slides[0]?.image).toMatchObject({ alt: 'noise', format: 'png' });
  });

  it('refuses an asset: the lesson did not send, and the lesson images over the total limit', () => {
    expect(codeOf(() => parsePresentationPayload(lessonWith('asset:missing')))).toMatchObject({
      code: 'IMAGE_SOURCE_REFUSED',
      details: { reason: 'unknown_asset' },
    });
    // Three images of just over a third of the total limit each: the third goes over.
    const big = Buffer.concat([
      solidPng(4, 4, [0, 0, 255]),
      Buffer.alloc(Math.ceil(IMAGE_LIMITS.maxTotalBytes / 3)),
    ]);
    const assets = ['a', 'b', 'c'].map((name) => ({ name, content_base64: big.toString('base64') }));
    expect(codeOf(() => parsePresentationPayload(lessonWith('asset:a', { assets })))).toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      details: { reason: 'total', field: 'assets[2].content_base64' },
    });
  });
});
