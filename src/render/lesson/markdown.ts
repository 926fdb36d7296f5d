/**
 * Reads a lesson written in Markdown: the first `#` heading is the lesson's title, each `##` heading
 * starts a slide, list items (`-`, `*`, `+`, `1.`) are its bullets and other paragraphs its narration.
 * A slide without narration speaks its bullets. An image (`![alt](data:… or asset:NAME)`) anywhere in a
 * slide's text is taken out of it and becomes the slide's image (one per slide). Text before the first slide becomes an opening slide;
 * Markdown without any `##` is split like a plain script. Inline markup is limited to removing bold
 * markers and link targets; everything else is kept literally.
 */
import { invalidLesson } from './invalid.js';
import { scriptToSlides, type RawSlide } from './script.js';

export interface RawLesson {
  title: string;
  slides: RawSlide[];
}

interface MarkdownImage {
  src: string;
  alt: string;
}

interface Section {
  title: string | undefined;
  bullets: string[];
  paragraphs: string[];
  images: MarkdownImage[];
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(.*)$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const FENCE = /^\s{0,3}(```|~~~)/;
/** `![alt](src)` or `![alt](<src> "title")`. */
const IMAGE = /!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;

/** Markdown without its images' sources: what counts towards the script's length. */
export function withoutImageSources(markdown: string): string {
  return markdown.replace(IMAGE, '![$1]()');
}

/** The line without its images, which are added to `images`. */
function takeImages(line: string, images: MarkdownImage[]): string {
  return line.replace(IMAGE, (_match, alt: string, src: string) => {
    images.push({ src, alt: alt.trim() });
    return '';
  });
}

function inline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .trim();
}

function spokenBullets(bullets: readonly string[]): string {
  return bullets.map((bullet) => (/[.!?…:;]$/.test(bullet) ? bullet : `${bullet}.`)).join(' ');
}

function readSections(markdown: string): { title: string | undefined; sections: Section[] } {
  let title: string | undefined;
  const sections: Section[] = [{ title: undefined, bullets: [], paragraphs: [], images: [] }];
  let paragraph: string[] = [];
  let inBullet = false;
  const current = (): Section => sections[sections.length - 1] as Section;
  const flush = (): void => {
    if (paragraph.length > 0) current().paragraphs.push(inline(paragraph.join(' ')));
    paragraph = [];
  };

  for (const text of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = HEADING.exec(text);
    const line = heading ? text : takeImages(text, current().images);
    const bullet = BULLET.exec(line);
    if (line.trim() === '' || FENCE.test(line) || RULE.test(line)) {
      flush();
      inBullet = false;
    } else if (heading) {
      flush();
      inBullet = false;
      const level = (heading[1] as string).length;
      const text = inline(heading[2] as string);
      if (level === 1 && title === undefined && sections.length === 1) title = text;
      else if (level <= 2) sections.push({ title: text, bullets: [], paragraphs: [], images: [] });
      else current().paragraphs.push(text);
    } else if (bullet) {
      flush();
      const item = inline(bullet[1] as string);
      // A list item that held only an image is no bullet.
      if (item !== '' || line === text) current().bullets.push(item);
      inBullet = true;
    } else if (inBullet && /^\s+\S/.test(line)) {
      const bullets = current().bullets;
      bullets[bullets.length - 1] = `${bullets[bullets.length - 1] ?? ''} ${inline(line)}`;
    } else {
      inBullet = false;
      paragraph.push(line.replace(/^\s{0,3}>\s?/, '').trim());
    }
  }
  flush();
  return { title, sections };
}

function onlyImage(images: readonly MarkdownImage[], title: string): MarkdownImage | undefined {
  if (images.length > 1) {
    throw invalidLesson(
      'TOO_MANY_IMAGES',
      `The slide "${title}" has ${images.length} images; a slide shows at most one`,
      { field: 'markdown', slide: title, count: images.length, limit: 1 },
    );
  }
  return images[0];
}

function sectionSlide(section: Section, title: string): RawSlide {
  const narration =
    section.paragraphs.length > 0 ? section.paragraphs.join('\n\n') : spokenBullets(section.bullets);
  const image = onlyImage(section.images, title);
  return { title, bullets: section.bullets, narration, ...(image && { image }) };
}

export function parseMarkdownLesson(markdown: string, titleOverride?: string): RawLesson {
  const { title: heading, sections } = readSections(markdown);
  const title = titleOverride ?? heading ?? 'Lesson';
  const [preamble, ...slides] = sections as [Section, ...Section[]];
  const hasPreamble = preamble.paragraphs.length > 0 || preamble.bullets.length > 0;
  if (slides.length === 0) {
    const bullets = preamble.bullets.length > 0 ? [spokenBullets(preamble.bullets)] : [];
    const script = [...preamble.paragraphs, ...bullets].join('\n\n');
    const [first, ...rest] = scriptToSlides(script, title);
    // Without slide headings, the image goes on the first slide.
    const image = onlyImage(preamble.images, title);
    return { title, slides: first ? [{ ...first, ...(image && { image }) }, ...rest] : [] };
  }
  if (!hasPreamble && preamble.images.length > 0) {
    throw invalidLesson(
      'BAD_FIELD',
      'An image comes before the first slide heading (##): put it under the heading of the slide it belongs to',
      { field: 'markdown' },
    );
  }
  return {
    title,
    slides: [
      ...(hasPreamble ? [sectionSlide(preamble, title)] : []),
      ...slides.map((section) => sectionSlide(section, section.title ?? title)),
    ],
  };
}
