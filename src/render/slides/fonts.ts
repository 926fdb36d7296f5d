/**
 * The fonts slides are drawn with (DejaVu Sans, regular and bold) and their metrics. Only these files
 * are loaded into resvg, never the system's font list, so a render looks the same on every machine.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { loadFontMetrics, type FontMetrics } from './font-metrics.js';

/** Where Debian's `fonts-dejavu-core` puts them. */
export const DEFAULT_FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const FONT_FAMILY = 'DejaVu Sans';

export interface SlideFonts {
  readonly files: readonly string[];
  readonly regular: FontMetrics;
  readonly bold: FontMetrics;
}

const loaded = new Map<string, SlideFonts>();

export async function loadSlideFonts(fontDir: string = DEFAULT_FONT_DIR): Promise<SlideFonts> {
  const cached = loaded.get(fontDir);
  if (cached) return cached;
  const regularPath = join(fontDir, 'DejaVuSans.ttf');
  const boldPath = join(fontDir, 'DejaVuSans-Bold.ttf');
  for (const path of [regularPath, boldPath]) {
    try {
      await access(path);
    } catch {
      throw new Error(
        `font ${path} is missing: install fonts-dejavu-core (apt-get install fonts-dejavu-core)`,
      );
    }
  }
  const fonts: SlideFonts = {
    files: [regularPath, boldPath],
    regular: loadFontMetrics(regularPath),
    bold: loadFontMetrics(boldPath),
  };
  loaded.set(fontDir, fonts);
  return fonts;
}
