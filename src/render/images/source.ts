/**
 * Where a slide's image comes from: a base64 `data:` URL carried in the lesson, or `asset:NAME`, one of
 * the assets sent with it. Nothing else: the server never fetches a URL (`http(s)://`) nor reads a path
 * it did not store, and says so with IMAGE_SOURCE_REFUSED.
 */
import { imageError } from './image-errors.js';
import { IMAGE_LIMITS } from './limits.js';

export type ImageSource =
  { readonly kind: 'data'; readonly bytes: Buffer } | { readonly kind: 'asset'; readonly name: string };

/** An asset's name: letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Decodes strict base64 (whitespace between characters is allowed, as line-wrapped encoders write),
 * refusing what would decode past the size limit before decoding it.
 */
export function decodeBase64(text: string, field: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw imageError('IMAGE_INVALID', `${field} is not valid base64`, { field, reason: 'base64' });
  }
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  const size = (compact.length / 4) * 3 - padding;
  if (size > IMAGE_LIMITS.maxImageBytes) {
    throw imageError(
      'IMAGE_TOO_LARGE',
      `${field} is ${size} bytes; an image may have at most ${IMAGE_LIMITS.maxImageBytes}`,
      { field, reason: 'bytes', size, limit: IMAGE_LIMITS.maxImageBytes },
    );
  }
  if (size === 0) throw imageError('IMAGE_INVALID', `${field} is empty`, { field, reason: 'empty' });
  return Buffer.from(compact, 'base64');
}

function parseDataUrl(src: string, field: string): ImageSource {
  const comma = src.indexOf(',');
  const meta = comma < 0 ? '' : src.slice('data:'.length, comma);
  if (comma < 0 || !meta.split(';').some((part) => part.trim().toLowerCase() === 'base64')) {
    throw imageError('IMAGE_INVALID', `${field}: a data URL must be base64 (data:image/png;base64,…)`, {
      field,
      reason: 'data_url',
    });
  }
  return { kind: 'data', bytes: decodeBase64(src.slice(comma + 1), field) };
}

/** Reads `src`; `field` names it in errors. */
export function parseImageSource(src: string, field: string): ImageSource {
  const text = src.trim();
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'data') return parseDataUrl(text, field);
  if (scheme === 'asset') {
    const name = text.slice('asset:'.length);
    if (!ASSET_NAME.test(name)) {
      throw imageError(
        'IMAGE_SOURCE_REFUSED',
        `${field}: "asset:" must be followed by an asset's name (letters, digits, ".", "_", "-")`,
        { field, reason: 'asset_name' },
      );
    }
    return { kind: 'asset', name };
  }
  const reason = scheme === 'http' || scheme === 'https' ? 'remote_url' : scheme ? 'scheme' : 'file_path';
  const said =
    reason === 'remote_url'
      ? 'images are never fetched from a URL'
      : reason === 'scheme'
        ? `"${scheme}:" sources are not read`
        : 'images are never read from a file path';
  throw imageError(
    'IMAGE_SOURCE_REFUSED',
    `${field}: ${said}; send the image as a base64 data URL or as an asset ("asset:NAME")`,
    { field, reason },
  );
}
