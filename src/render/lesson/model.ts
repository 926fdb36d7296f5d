/**
 * The lesson a presentation is made from, the options of a render, and the limits both obey.
 * Everything here is plain data; parsing and validation live beside it.
 */
import type { ImageFormat } from '../images/sniff.js';

/** A slide's picture, checked when the lesson was submitted (src/render/images). */
export interface SlideImage {
  /** As stored: a base64 `data:` URL (normalised), or `asset:NAME` naming one of the lesson's assets. */
  readonly src: string;
  /** What the image shows, in words: kept in the job's result; not drawn, not spoken. */
  readonly alt: string;
  readonly format: ImageFormat;
  /** As the image's header declares. */
  readonly width: number;
  readonly height: number;
  /** A base64 data URL with the media type read from the bytes: what the slide embeds. */
  readonly href: string;
}

/** An image sent with a lesson, referred to by slides as `asset:NAME`. */
export interface LessonAsset {
  readonly name: string;
  readonly contentBase64: string;
}

export interface LessonSlide {
  readonly title: string;
  /** Shown on the slide; may be empty. */
  readonly bullets: readonly string[];
  /** Spoken while the slide is shown; never empty. */
  readonly narration: string;
  /** Drawn beside or below the text. */
  readonly image?: SlideImage | undefined;
}

export interface Lesson {
  readonly title: string;
  /** Shown under the title on the title slide, and spoken after the title. */
  readonly subtitle?: string | undefined;
  /** Shown on the title and closing slides. */
  readonly author?: string | undefined;
  readonly slides: readonly LessonSlide[];
  /** The assets the slides' images refer to (only those), in order of first use. */
  readonly assets?: readonly LessonAsset[] | undefined;
}

export const RENDER_STYLES = ['default', 'scrolling'] as const;
export type RenderStyle = (typeof RENDER_STYLES)[number];

export interface Resolution {
  readonly width: number;
  readonly height: number;
}

/**
 * Captions: `soft` is a subtitle track in the MP4 (players switch it on and off) plus the WebVTT file;
 * `burned` also draws them into the picture; `off` makes neither.
 */
export const CAPTION_MODES = ['soft', 'burned', 'off'] as const;
export type CaptionMode = (typeof CAPTION_MODES)[number];

/** A validated request to render: what the `presentation` job kind stores as its payload. */
export interface PresentationRequest {
  readonly lesson: Lesson;
  readonly style: RenderStyle;
  readonly voice: string;
  readonly resolution: Resolution;
  readonly captions: CaptionMode;
  /** A slide with the lesson's title (subtitle, author) before the first slide, its title spoken. */
  readonly titleSlide: boolean;
  /** A silent slide after the last one: the lesson's title, what it covered, the author. */
  readonly closingSlide: boolean;
  /**
   * `default` style: each bullet appears when the narration reaches its sentence, instead of all of a
   * slide's bullets at once.
   */
  readonly revealBullets: boolean;
}

/** Limits on what a payload may ask for. */
export const LESSON_LIMITS = Object.freeze({
  /**
   * All text of a lesson together (titles, bullets, narration), or a raw script or Markdown: the
   * default of LESSON_MAX_SCRIPT_CHARS, which every parse is given. 60,000 is about 40 minutes of
   * narration with eSpeak NG (a 20-minute lesson is about 28,000).
   */
  maxScriptChars: 60_000,
  maxSlides: 50,
  maxTitleChars: 200,
  maxBulletsPerSlide: 12,
  maxBulletChars: 300,
  maxNarrationChars: 5_000,
});

export const RESOLUTION_LIMITS = Object.freeze({
  minWidth: 160,
  minHeight: 90,
  maxWidth: 1920,
  maxHeight: 1920,
  /** Width × height, so a portrait 1080×1920 is allowed but not 1920×1920. */
  maxPixels: 1920 * 1080,
});

export const DEFAULT_STYLE: RenderStyle = 'default';
export const DEFAULT_CAPTIONS: CaptionMode = 'soft';
export const DEFAULT_RESOLUTION: Resolution = Object.freeze({ width: 1280, height: 720 });
