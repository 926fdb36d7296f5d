/**
 * What an image is, read from its bytes (never from a file name or a declared media type), and how
 * large it says it is, read from its header before anything decodes it: a decompression bomb (a tiny
 * file declaring 50000×50000 pixels) is refused here with IMAGE_TOO_LARGE.
 */
import { imageError } from './image-errors.js';
import { IMAGE_LIMITS } from './limits.js';
import { checkSvgSafe } from './svg-safety.js';

export const IMAGE_FORMATS = ['png', 'jpeg', 'webp', 'svg'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const IMAGE_MEDIA_TYPES: Readonly<Record<ImageFormat, string>> = Object.freeze({
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  svg: 'image/svg+xml',
});

export interface ImageInfo {
  readonly format: ImageFormat;
  /** As the header declares (an SVG: its width and height, else its viewBox, else 300×150). */
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Formats we can name but do not take, so the error says what was sent. */
const OTHER_FORMATS: readonly { name: string; test: (bytes: Buffer) => boolean }[] = [
  { name: 'gif', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  { name: 'bmp', test: (b) => b.subarray(0, 2).toString('latin1') === 'BM' },
  { name: 'tiff', test: (b) => ['II*\0', 'MM\0*'].includes(b.subarray(0, 4).toString('latin1')) },
  { name: 'avif/heic', test: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' },
  { name: 'ico', test: (b) => b.length >= 4 && b.readUInt32BE(0) === 0x00000100 },
  { name: 'pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
];

function invalid(field: string, what: string): never {
  throw imageError('IMAGE_INVALID', `${field}: ${what}`, { field, reason: 'header' });
}

function pngSize(bytes: Buffer, field: string): [number, number] {
  if (bytes.length < 24 || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') {
    invalid(field, 'the PNG has no image header (IHDR)');
  }
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

/** Start-of-frame markers carry the size: C0–CF except C4 (DHT), C8 (JPG) and CC (DAC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(bytes: Buffer, field: string): [number, number] {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) invalid(field, 'the JPEG is corrupt before its frame header');
    const marker = bytes[offset + 1] as number;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break;
    const length = bytes.readUInt16BE(offset + 2);
    if (isStartOfFrame(marker)) {
      if (offset + 9 > bytes.length) break;
      return [bytes.readUInt16BE(offset + 7), bytes.readUInt16BE(offset + 5)];
    }
    offset += 2 + length;
  }
  return invalid(field, 'the JPEG has no frame header');
}

/** The size a simple WebP's bitstream (`VP8 ` lossy, `VP8L` lossless) declares, its chunk at `at`. */
function bitstreamSize(bytes: Buffer, at: number): [number, number] | undefined {
  const chunk = bytes.subarray(at, at + 4).toString('latin1');
  const data = at + 8;
  if (chunk === 'VP8L' && bytes.length >= data + 5 && bytes[data] === 0x2f) {
    const bits = bytes.readUInt32LE(data + 1);
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  if (chunk === 'VP8 ' && bytes.length >= data + 10 && bytes.readUIntBE(data + 3, 3) === 0x9d012a) {
    return [bytes.readUInt16LE(data + 6) & 0x3fff, bytes.readUInt16LE(data + 8) & 0x3fff];
  }
  return undefined;
}

function webpSize(bytes: Buffer, field: string): [number, number] {
  const chunk = bytes.subarray(12, 16).toString('latin1');
  if (chunk !== 'VP8X') return bitstreamSize(bytes, 12) ?? invalid(field, 'the WebP has no image header');
  if (bytes.length < 30) invalid(field, 'the WebP has no image header');
  if (((bytes[20] as number) & 0x02) !== 0) {
    throw imageError('IMAGE_FORMAT_UNSUPPORTED', `${field} is an animated WebP; send a still image`, {
      field,
      detected: 'animated webp',
      allowed: [...IMAGE_FORMATS],
    });
  }
  const canvas: [number, number] = [bytes.readUIntLE(24, 3) + 1, bytes.readUIntLE(27, 3) + 1];
  // A decoder sizes its picture from the bitstream, which may declare more than the canvas: the
  // larger of the two is what counts.
  for (let at = 30; at + 8 <= bytes.length;) {
    const size = bitstreamSize(bytes, at);
    if (size) checkPixels(size[0], size[1], field);
    const length = bytes.readUInt32LE(at + 4);
    at += 8 + length + (length % 2);
  }
  return canvas;
}

/** The SVG's text, after a byte-order mark, whitespace, an XML declaration and comments. */
function svgText(bytes: Buffer): string | undefined {
  const probe = bytes
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const rest = probe.replace(/^(?:\s+|<\?xml[^>]*\?>|<!--[\s\S]*?-->)*/, '');
  if (!/^<(?:svg[\s>/]|!doctype\s+svg)/i.test(rest)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return '';
  }
}

function svgLength(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$/.exec(value);
  const length = match ? Number(match[1]) : NaN;
  return Number.isFinite(length) && length > 0 ? length : undefined;
}

function svgSize(svg: string): [number, number] {
  const root = /<svg\b([^>]*)>/i.exec(svg)?.[1] ?? '';
  const attribute = (name: string): string | undefined =>
    new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`)
      .exec(root)
      ?.slice(1)
      .find((v) => v !== undefined);
  const box = attribute('viewBox')
    ?.trim()
    .split(/[\s,]+/)
    .map(Number);
  const boxWidth = box?.length === 4 && (box[2] as number) > 0 ? (box[2] as number) : undefined;
  const boxHeight = box?.length === 4 && (box[3] as number) > 0 ? (box[3] as number) : undefined;
  const width = svgLength(attribute('width'));
  const height = svgLength(attribute('height'));
  if (width !== undefined && height !== undefined) return [width, height];
  if (boxWidth !== undefined && boxHeight !== undefined) {
    if (width !== undefined) return [width, (width * boxHeight) / boxWidth];
    if (height !== undefined) return [(height * boxWidth) / boxHeight, height];
    return [boxWidth, boxHeight];
  }
  return [width ?? 300, height ?? 150];
}

function checkPixels(width: number, height: number, field: string): void {
  if (width < 1 || height < 1) invalid(field, `the image declares ${width}×${height} pixels`);
  if (width * height > IMAGE_LIMITS.maxPixels) {
    throw imageError(
      'IMAGE_TOO_LARGE',
      `${field} is ${width}×${height} pixels; an image may have at most ${IMAGE_LIMITS.maxPixels}`,
      { field, reason: 'pixels', width, height, limit: IMAGE_LIMITS.maxPixels },
    );
  }
}

/** The image's format and declared size; throws IMAGE_FORMAT_UNSUPPORTED, IMAGE_INVALID, IMAGE_TOO_LARGE or SVG_UNSAFE. */
export function sniffImage(bytes: Buffer, field: string): ImageInfo {
  let format: ImageFormat;
  let size: [number, number];
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    format = 'png';
    size = pngSize(bytes, field);
  } else if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    format = 'jpeg';
    size = jpegSize(bytes, field);
  } else if (
    bytes.length >= 16 &&
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    format = 'webp';
    size = webpSize(bytes, field);
  } else {
    const svg = svgText(bytes);
    if (svg === undefined) {
      const detected = OTHER_FORMATS.find((other) => other.test(bytes))?.name ?? 'unknown';
      throw imageError(
        'IMAGE_FORMAT_UNSUPPORTED',
        `${field} is ${detected === 'unknown' ? 'not an image we read' : `a ${detected} image`}; send PNG, JPEG, WebP or SVG`,
        { field, detected, allowed: [...IMAGE_FORMATS] },
      );
    }
    if (svg === '') {
      throw imageError('SVG_UNSAFE', `${field}: the SVG is not valid UTF-8`, { field, reason: 'not_utf8' });
    }
    checkSvgSafe(svg, field);
    const [width, height] = svgSize(svg);
    return { format: 'svg', width, height };
  }
  checkPixels(size[0], size[1], field);
  return { format, width: size[0], height: size[1] };
}
