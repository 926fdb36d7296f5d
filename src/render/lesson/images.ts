/**
 * Checks a lesson's images when it is submitted: the assets sent with it (`[{name, content_base64}]`)
 * and each slide's `image` (`{src, alt?}` or just the `src`), where `src` is a base64 data URL or
 * `asset:NAME`. Every image is sniffed and its header read here, so a job or lesson with an image the
 * renderer would refuse is never stored.
 */
import { imageError } from '../images/image-errors.js';
import { IMAGE_LIMITS } from '../images/limits.js';
import { IMAGE_MEDIA_TYPES, sniffImage, type ImageInfo } from '../images/sniff.js';
import { ASSET_NAME, decodeBase64, parseImageSource } from '../images/source.js';
import { invalidLesson } from './invalid.js';
import type { LessonAsset, SlideImage } from './model.js';
import { cleanLine } from './text.js';

interface CheckedAsset {
  readonly name: string;
  readonly base64: string;
  readonly info: ImageInfo;
}

export interface LessonImages {
  /** A slide's checked image, or undefined when the slide has none. */
  slideImage(value: unknown, field: string): SlideImage | undefined;
  /** The assets the slides used, in order of first use. */
  usedAssets(): LessonAsset[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dataUrl(info: ImageInfo, base64: string): string {
  return `data:${IMAGE_MEDIA_TYPES[info.format]};base64,${base64}`;
}

function altText(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalidLesson('BAD_FIELD', `${field} must be a string`, { field });
  const alt = cleanLine(value);
  if (alt.length > IMAGE_LIMITS.maxAltChars) {
    throw invalidLesson(
      'FIELD_TOO_LONG',
      `${field} is ${alt.length} characters; the limit is ${IMAGE_LIMITS.maxAltChars}`,
      { field, length: alt.length, limit: IMAGE_LIMITS.maxAltChars },
    );
  }
  return alt;
}

/** `assets` (absent, or a list of `{name, content_base64}`) checked, and a checker for the slides' images. */
export function lessonImages(assets: unknown, field: string): LessonImages {
  let totalBytes = 0;
  const count = (bytes: number, at: string): void => {
    totalBytes += bytes;
    if (totalBytes > IMAGE_LIMITS.maxTotalBytes) {
      throw imageError(
        'IMAGE_TOO_LARGE',
        `${at}: the lesson's images come to more than ${IMAGE_LIMITS.maxTotalBytes} bytes together`,
        { field: at, reason: 'total', limit: IMAGE_LIMITS.maxTotalBytes },
      );
    }
  };

  const byName = new Map<string, CheckedAsset>();
  if (assets !== undefined && assets !== null) {
    if (!Array.isArray(assets)) {
      throw invalidLesson('BAD_FIELD', `${field} must be a list of {name, content_base64}`, { field });
    }
    if (assets.length > IMAGE_LIMITS.maxAssets) {
      throw imageError(
        'IMAGE_TOO_LARGE',
        `${field} has ${assets.length} assets; the limit is ${IMAGE_LIMITS.maxAssets}`,
        { field, reason: 'count', count: assets.length, limit: IMAGE_LIMITS.maxAssets },
      );
    }
    assets.forEach((asset: unknown, index) => {
      const at = `${field}[${index}]`;
      if (!isRecord(asset) || typeof asset.name !== 'string' || typeof asset.content_base64 !== 'string') {
        throw invalidLesson('BAD_FIELD', `${at} must be {name, content_base64} with two strings`, {
          field: at,
        });
      }
      if (!ASSET_NAME.test(asset.name)) {
        throw invalidLesson(
          'BAD_FIELD',
          `${at}.name must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit`,
          { field: `${at}.name` },
        );
      }
      if (byName.has(asset.name)) {
        throw invalidLesson('BAD_FIELD', `${at}.name: two assets are named "${asset.name}"`, {
          field: `${at}.name`,
        });
      }
      const bytes = decodeBase64(asset.content_base64, `${at}.content_base64`);
      const info = sniffImage(bytes, `${at}.content_base64`);
      count(bytes.length, `${at}.content_base64`);
      byName.set(asset.name, { name: asset.name, base64: bytes.toString('base64'), info });
    });
  }

  const used: CheckedAsset[] = [];
  return {
    slideImage(value, at) {
      if (value === undefined || value === null) return undefined;
      const image = typeof value === 'string' ? { src: value } : value;
      if (!isRecord(image) || typeof image.src !== 'string') {
        throw invalidLesson('BAD_FIELD', `${at} must be {src, alt?} with src a data URL or "asset:NAME"`, {
          field: at,
        });
      }
      const alt = altText(image.alt, `${at}.alt`);
      const source = parseImageSource(image.src, `${at}.src`);
      if (source.kind === 'data') {
        const info = sniffImage(source.bytes, `${at}.src`);
        count(source.bytes.length, `${at}.src`);
        const href = dataUrl(info, source.bytes.toString('base64'));
        return { src: href, alt, ...info, href };
      }
      const asset = byName.get(source.name);
      if (!asset) {
        throw imageError(
          'IMAGE_SOURCE_REFUSED',
          `${at}.src: no asset named "${source.name}" was sent with the lesson`,
          { field: `${at}.src`, reason: 'unknown_asset', assets: [...byName.keys()] },
        );
      }
      if (!used.includes(asset)) used.push(asset);
      return { src: `asset:${asset.name}`, alt, ...asset.info, href: dataUrl(asset.info, asset.base64) };
    },
    usedAssets: () => used.map((asset) => ({ name: asset.name, contentBase64: asset.base64 })),
  };
}
