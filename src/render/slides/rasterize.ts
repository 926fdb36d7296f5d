/** SVG → PNG with resvg, off the event loop, loading only our own fonts. */
import { renderAsync } from '@resvg/resvg-js';
import { writeFile } from 'node:fs/promises';
import { FONT_FAMILY, type SlideFonts } from './fonts.js';

export async function svgToPng(svg: string, fonts: SlideFonts, signal?: AbortSignal): Promise<Buffer> {
  signal?.throwIfAborted();
  // resvg accepts a given AbortSignal only once, so each render gets its own, linked to the caller's.
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const image = await renderAsync(
      svg,
      {
        font: { loadSystemFonts: false, fontFiles: [...fonts.files], defaultFontFamily: FONT_FAMILY },
        fitTo: { mode: 'original' },
        logLevel: 'off',
      },
      controller.signal,
    );
    signal?.throwIfAborted();
    return image.asPng();
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

export async function writeSvgAsPng(
  svg: string,
  path: string,
  fonts: SlideFonts,
  signal?: AbortSignal,
): Promise<void> {
  await writeFile(path, await svgToPng(svg, fonts, signal));
}
