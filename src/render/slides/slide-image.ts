/**
 * Where a slide's image goes and how it is drawn. Given the area the slide's body may fill, the image
 * takes a column on the right in a landscape frame (the text keeps the left), or a band below the text
 * in a portrait or square frame, and for a very wide image in any frame. It is scaled to fit its box
 * with its aspect kept, centred in it; the text is laid out in what is left.
 */
import type { SlideImage } from '../lesson/model.js';
import { num } from './svg.js';

export interface BodyArea {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedImage {
  /** Where the text goes (the whole area when there is no image). */
  readonly text: BodyArea;
  /** The image element, or '' without an image. */
  readonly svg: string;
}

/** The share of the body the image may take: of its width beside the text, of its height below it. */
const IMAGE_SHARE = 0.45;
/** An image at least this many times wider than tall goes below the text even in a landscape frame. */
const BANNER_ASPECT = 2.4;

/** The largest `width × height` box of the image's aspect inside `box`, centred in it. */
export function fitImage(image: { width: number; height: number }, box: BodyArea): BodyArea {
  const scale = Math.min(box.width / image.width, box.height / image.height);
  const width = image.width * scale;
  const height = image.height * scale;
  return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height };
}

export function imageBeside(image: SlideImage, frame: { width: number; height: number }): boolean {
  return frame.width > frame.height * 1.1 && image.width / image.height < BANNER_ASPECT;
}

export function placeSlideImage(
  image: SlideImage | undefined,
  area: BodyArea,
  frame: { width: number; height: number },
  gap: number,
): PlacedImage {
  if (!image || area.width <= 0 || area.height <= 0) return { text: area, svg: '' };
  let box: BodyArea;
  let text: BodyArea;
  if (imageBeside(image, frame)) {
    const width = area.width * IMAGE_SHARE;
    box = { x: area.x + area.width - width, y: area.y, width, height: area.height };
    text = { ...area, width: area.width - width - gap };
  } else {
    const height = area.height * IMAGE_SHARE;
    box = { x: area.x, y: area.y + area.height - height, width: area.width, height };
    text = { ...area, height: area.height - height - gap };
  }
  const fitted = fitImage(image, box);
  const svg =
    `<image x="${num(fitted.x)}" y="${num(fitted.y)}" width="${num(fitted.width)}" height="${num(fitted.height)}" ` +
    `preserveAspectRatio="xMidYMid meet" href="${image.href}"/>`;
  return { text, svg };
}

/** A slide's image in the scrolling style's column, in column coordinates. */
export interface ColumnImage extends BodyArea {
  /** The slide it belongs to: dimmed with its text when another slide is spoken. */
  readonly slide: number;
  readonly href: string;
}

/** The image of slide `slide` under its text at `y`, as wide as the column allows and at most `maxHeight` tall. */
export function columnImage(
  image: SlideImage,
  slide: number,
  column: { x: number; y: number; width: number },
  maxHeight: number,
): ColumnImage {
  const fitted = fitImage(image, { ...column, height: maxHeight });
  // Left-aligned with the text, its top where the text ended.
  return { ...fitted, x: column.x, y: column.y, slide, href: image.href };
}

/** The column's images between `top` and `bottom` (column coordinates), drawn with the frame's top at `top`. */
export function columnImageElements(
  images: readonly ColumnImage[],
  highlighted: number,
  top: number,
  bottom: number,
  dimmed: number,
): string {
  return images
    .filter((image) => image.y + image.height > top && image.y < bottom)
    .map(
      (image) =>
        `<image x="${num(image.x)}" y="${num(image.y - top)}" width="${num(image.width)}" height="${num(image.height)}" ` +
        `preserveAspectRatio="xMidYMid meet"${image.slide === highlighted ? '' : ` opacity="${num(dimmed)}"`} href="${image.href}"/>`,
    )
    .join('');
}
