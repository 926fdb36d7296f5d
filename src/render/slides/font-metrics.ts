/**
 * Advance widths read from a TrueType font's own tables (`cmap`, `hmtx`), so text is wrapped by the
 * widths resvg will draw, not by guesses. Kerning and shaping are ignored; layouts keep a small margin.
 */
import { readFileSync } from 'node:fs';

export interface FontMetrics {
  /** Width of `text` at `fontSize` pixels. */
  measure(text: string, fontSize: number): number;
}

interface Tables {
  view: DataView;
  offsets: Map<string, number>;
}

function readTables(font: Buffer): Tables {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const offsets = new Map<string, number>();
  const count = view.getUint16(4);
  for (let index = 0; index < count; index++) {
    const record = 12 + index * 16;
    offsets.set(font.toString('latin1', record, record + 4), view.getUint32(record + 8));
  }
  return { view, offsets };
}

function table({ offsets }: Tables, tag: string): number {
  const offset = offsets.get(tag);
  if (offset === undefined) throw new Error(`font has no ${tag} table`);
  return offset;
}

/** Code point → glyph id, from the best Unicode subtable (format 12 if present, else format 4). */
function readCmap(tables: Tables): (codePoint: number) => number {
  const { view } = tables;
  const cmap = table(tables, 'cmap');
  let format4: number | undefined;
  let format12: number | undefined;
  for (let index = 0; index < view.getUint16(cmap + 2); index++) {
    const record = cmap + 4 + index * 8;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const subtable = cmap + view.getUint32(record + 4);
    const format = view.getUint16(subtable);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (unicode && format === 12) format12 = subtable;
    if (unicode && format === 4) format4 = subtable;
  }
  if (format12 !== undefined) {
    const groups = view.getUint32(format12 + 12);
    return (codePoint) => {
      let low = 0;
      let high = groups - 1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        const group = format12 + 16 + middle * 12;
        if (codePoint < view.getUint32(group)) high = middle - 1;
        else if (codePoint > view.getUint32(group + 4)) low = middle + 1;
        else return view.getUint32(group + 8) + codePoint - view.getUint32(group);
      }
      return 0;
    };
  }
  if (format4 === undefined) throw new Error('font has no Unicode cmap');
  const subtable = format4;
  const segments = view.getUint16(subtable + 6) / 2;
  const ends = subtable + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  return (codePoint) => {
    if (codePoint > 0xffff) return 0;
    for (let segment = 0; segment < segments; segment++) {
      if (codePoint > view.getUint16(ends + segment * 2)) continue;
      const start = view.getUint16(starts + segment * 2);
      if (codePoint < start) return 0;
      const delta = view.getInt16(deltas + segment * 2);
      const rangeOffsetAt = rangeOffsets + segment * 2;
      const rangeOffset = view.getUint16(rangeOffsetAt);
      if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
      const glyph = view.getUint16(rangeOffsetAt + rangeOffset + (codePoint - start) * 2);
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

export function loadFontMetrics(fontPath: string): FontMetrics {
  const tables = readTables(readFileSync(fontPath));
  const { view } = tables;
  const unitsPerEm = view.getUint16(table(tables, 'head') + 18);
  const longMetrics = view.getUint16(table(tables, 'hhea') + 34);
  const hmtx = table(tables, 'hmtx');
  const glyphFor = readCmap(tables);
  const advance = (glyph: number): number => view.getUint16(hmtx + Math.min(glyph, longMetrics - 1) * 4);
  // Characters the font lacks are drawn by resvg from nothing or a fallback: count them one em wide.
  const missing = unitsPerEm;
  const widths = new Map<number, number>();
  const width = (codePoint: number): number => {
    let units = widths.get(codePoint);
    if (units === undefined) {
      const glyph = glyphFor(codePoint);
      units = glyph === 0 ? missing : advance(glyph);
      widths.set(codePoint, units);
    }
    return units;
  };
  return {
    measure(text, fontSize) {
      let units = 0;
      for (const character of text) units += width(character.codePointAt(0) as number);
      return (units / unitsPerEm) * fontSize;
    },
  };
}
