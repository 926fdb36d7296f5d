/**
 * Images made in the test, byte by byte: a solid-colour PNG of any size, a PNG header that declares any
 * size over a tiny body (a decompression bomb), and the headers of the other formats.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function header(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour RGB
  return chunk('IHDR', ihdr);
}

/** A valid RGB PNG filled with one colour. */
export function solidPng(
  width: number,
  height: number,
  [r, g, b]: readonly [number, number, number],
): Buffer {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    SIGNATURE,
    header(width, height),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A few hundred bytes that declare `width`×`height` pixels: what a decompression bomb looks like. */
export function bombPng(width: number, height: number): Buffer {
  // One compressed row of zeros stands for the (never decoded) rest.
  const idat = deflateSync(Buffer.alloc(1 + Math.min(width, 4096) * 3));
  return Buffer.concat([
    SIGNATURE,
    header(width, height),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG's first bytes up to a baseline frame header declaring `width`×`height`. */
export function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([
    0xff,
    0xe0,
    0x00,
    0x10,
    ...Buffer.from('JFIF\0', 'latin1'),
    1,
    1,
    0,
    0,
    1,
    0,
    1,
    0,
    0,
  ]);
  const sof = Buffer.alloc(19);
  sof.set([0xff, 0xc0, 0x00, 0x11, 8]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  sof.set([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1], 9);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

/** An extended WebP (VP8X) header declaring a `width`×`height` canvas; `animated` sets the flag. */
export function webpVp8xHeader(width: number, height: number, animated = false): Buffer {
  const bytes = Buffer.alloc(30);
  bytes.write('RIFF', 0, 'latin1');
  bytes.writeUInt32LE(22, 4);
  bytes.write('WEBPVP8X', 8, 'latin1');
  bytes.writeUInt32LE(10, 16);
  bytes[20] = animated ? 0x02 : 0;
  bytes.writeUIntLE(width - 1, 24, 3);
  bytes.writeUIntLE(height - 1, 27, 3);
  return bytes;
}

export const dataUrl = (bytes: Buffer, type = 'image/png'): string =>
  `data:${type};base64,${bytes.toString('base64')}`;

export const svgDataUrl = (svg: string): string => dataUrl(Buffer.from(svg, 'utf8'), 'image/svg+xml');

/** A VP8X WebP whose canvas is `canvas` but whose lossless bitstream declares `bitstream`. */
export function webpCanvasHiding(canvas: [number, number], bitstream: [number, number]): Buffer {
  const vp8l = Buffer.alloc(8 + 6);
  vp8l.write('VP8L', 0, 'latin1');
  vp8l.writeUInt32LE(6, 4);
  vp8l[8] = 0x2f;
  vp8l.writeUInt32LE(((bitstream[0] - 1) | ((bitstream[1] - 1) << 14)) >>> 0, 9);
  const header = webpVp8xHeader(canvas[0], canvas[1]);
  const bytes = Buffer.concat([header, vp8l]);
  bytes.writeUInt32LE(bytes.length - 8, 4);
  return bytes;
}
