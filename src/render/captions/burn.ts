/** What burning captions in needs besides the cues: the fonts where ffmpeg finds them, and a size. */
import { mkdir, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SlideFonts } from '../slides/fonts.js';

/**
 * libass sizes text in a 288-line space scaled to the frame's height: 16 there is about 40 px at
 * 720p. Frames narrower than 16:9 get a smaller size, so a 42-character line still fits across.
 */
export function burnFontSize(width: number, height: number): number {
  return Math.round(16 * Math.min(1, width / height / (16 / 9)) * 10) / 10;
}

/** The slides' fonts linked into the work folder, where ffmpeg (run there) finds them by a plain name. */
export async function linkFonts(workDir: string, fonts: SlideFonts): Promise<string> {
  const name = 'fonts';
  await mkdir(join(workDir, name));
  for (const file of fonts.files) await symlink(file, join(workDir, name, basename(file)));
  return name;
}
