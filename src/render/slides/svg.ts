/** Writing SVG by hand, safely: every piece of user text goes through `escapeXml`. */

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => XML_ENTITIES[character] as string);
}

/** A number for an SVG attribute: rounded to hundredths, never exponent notation. */
export function num(value: number): string {
  return (Math.round(value * 100) / 100).toFixed(2).replace(/\.?0+$/, '');
}

export interface TextLine {
  readonly text: string;
  /** Baseline position. */
  readonly x: number;
  readonly y: number;
}

export interface TextStyle {
  readonly fontSize: number;
  readonly fill: string;
  readonly bold?: boolean;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly opacity?: number;
}

export function textElements(lines: readonly TextLine[], style: TextStyle): string {
  const attributes = [
    `font-size="${num(style.fontSize)}"`,
    `fill="${style.fill}"`,
    style.bold ? 'font-weight="bold"' : '',
    style.anchor && style.anchor !== 'start' ? `text-anchor="${style.anchor}"` : '',
    style.opacity !== undefined && style.opacity < 1 ? `fill-opacity="${num(style.opacity)}"` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return lines
    .map((line) => `<text x="${num(line.x)}" y="${num(line.y)}" ${attributes}>${escapeXml(line.text)}</text>`)
    .join('');
}

export function svgDocument(width: number, height: number, body: string, fontFamily: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="${escapeXml(fontFamily)}">${body}</svg>`
  );
}
